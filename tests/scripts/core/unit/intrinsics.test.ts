/** CloudFormation's intrinsics, resolved as CloudFormation resolves them (scripts/core/intrinsics.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  evaluateConditions,
  NO_VALUE,
  presentResources,
  type References,
  resolve,
  UnresolvableError,
} from '../../../../scripts/core/intrinsics.ts';

const refs: References = {
  parameters: {
    'AWS::StackName': 'lh',
    'AWS::Region': 'eu-west-1',
    Pool: 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC',
    Clients: ['a', 'b'],
    Mode: 'on',
  },
  ref: (id) => `${id}-physical`,
  getAtt: (id, attribute) => `${id}.${attribute}-value`,
};
const conditions = { IsOn: true, IsOff: false };

describe('resolve', () => {
  it('Ref: parameters, lists, pseudo parameters and resources', () => {
    assert.equal(resolve({ Ref: 'Pool' }, refs, conditions), refs.parameters.Pool);
    assert.deepEqual(resolve({ Ref: 'Clients' }, refs, conditions), ['a', 'b']);
    assert.equal(resolve({ Ref: 'AWS::StackName' }, refs, conditions), 'lh');
    assert.equal(resolve({ Ref: 'Table' }, refs, conditions), 'Table-physical');
    assert.equal(resolve({ Ref: 'AWS::NoValue' }, refs, conditions), NO_VALUE);
  });

  it('Fn::GetAtt in both forms', () => {
    assert.equal(resolve({ 'Fn::GetAtt': ['Role', 'Arn'] }, refs, conditions), 'Role.Arn-value');
    assert.equal(resolve({ 'Fn::GetAtt': 'Role.Arn' }, refs, conditions), 'Role.Arn-value');
  });

  // biome-ignore-start lint/suspicious/noTemplateCurlyInString: Fn::Sub's own ${} syntax
  it('Fn::Sub: references, attributes, pseudo parameters, literals and its own variables', () => {
    assert.equal(
      resolve({ 'Fn::Sub': '${AWS::StackName}-${Table}/${Role.Arn}/${!Literal}' }, refs, conditions),
      'lh-Table-physical/Role.Arn-value/${Literal}',
    );
    assert.equal(
      resolve({ 'Fn::Sub': ['${Name}:${AWS::Region}', { Name: { Ref: 'Mode' } }] }, refs, conditions),
      'on:eu-west-1',
    );
  });

  // biome-ignore-end lint/suspicious/noTemplateCurlyInString: Fn::Sub's own ${} syntax

  it('Fn::Select, Fn::Split and Fn::Join, nested as the template nests them', () => {
    assert.equal(
      resolve({ 'Fn::Select': [1, { 'Fn::Split': ['userpool/', { Ref: 'Pool' }] }] }, refs, conditions),
      'eu-west-1_AbC',
    );
    assert.equal(resolve({ 'Fn::Join': [',', { Ref: 'Clients' }] }, refs, conditions), 'a,b');
    assert.throws(() => resolve({ 'Fn::Select': [5, ['x']] }, refs, conditions), UnresolvableError);
  });

  it('Fn::If picks a branch, and AWS::NoValue removes the property or list element', () => {
    const value = {
      keep: { 'Fn::If': ['IsOn', 'yes', 'no'] },
      gone: { 'Fn::If': ['IsOff', 'yes', { Ref: 'AWS::NoValue' }] },
      list: [
        'a',
        { 'Fn::If': ['IsOff', 'b', { Ref: 'AWS::NoValue' }] },
        { 'Fn::If': ['IsOn', { Ref: 'Table' }, 'x'] },
      ],
    };
    assert.deepEqual(resolve(value, refs, conditions), { keep: 'yes', list: ['a', 'Table-physical'] });
    assert.throws(
      () => resolve({ 'Fn::If': ['Unknown', 1, 2] }, refs, conditions),
      /unknown condition Unknown/,
    );
  });

  it('refuses what it does not know instead of guessing, naming it', () => {
    assert.throws(
      () => resolve({ 'Fn::FindInMap': ['M', 'a', 'b'] }, refs, conditions),
      /Fn::FindInMap is not supported/,
    );
    assert.throws(
      () => resolve({ Ref: 'AWS::NotificationARNs' }, refs, conditions),
      /pseudo parameter AWS::NotificationARNs/,
    );
  });

  it('leaves plain objects with a key like an intrinsic among others alone', () => {
    assert.deepEqual(resolve({ Ref: 'x', Other: 1 }, refs, conditions), { Ref: 'x', Other: 1 });
  });
});

describe('evaluateConditions', () => {
  const template = {
    Conditions: {
      IsOn: { 'Fn::Equals': [{ Ref: 'Mode' }, 'on'] },
      IsOff: { 'Fn::Not': [{ Condition: 'IsOn' }] },
      Both: { 'Fn::And': [{ Condition: 'IsOn' }, { 'Fn::Equals': ['a', 'a'] }] },
      Either: { 'Fn::Or': [{ Condition: 'IsOff' }, { Condition: 'Both' }] },
      HasClients: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Clients' }, ''] }] },
    },
    Resources: {
      A: { Type: 'X' },
      B: { Type: 'X', Condition: 'IsOff' },
      C: { Type: 'X', Condition: 'Both' },
    },
  };

  it('evaluates Equals, Not, And, Or and conditions naming conditions', () => {
    assert.deepEqual(evaluateConditions(template, refs.parameters), {
      IsOn: true,
      IsOff: false,
      Both: true,
      Either: true,
      HasClients: true,
    });
    assert.equal(evaluateConditions(template, { ...refs.parameters, Mode: 'off' }).Both, false);
  });

  it('keeps only the resources whose condition holds', () => {
    const present = presentResources(template, evaluateConditions(template, refs.parameters)).map(
      ([id]) => id,
    );
    assert.deepEqual(present, ['A', 'C']);
  });

  it('refuses a condition that refers to itself', () => {
    assert.throws(
      () => evaluateConditions({ Conditions: { Loop: { 'Fn::Not': [{ Condition: 'Loop' }] } } }, {}),
      /refers to itself/,
    );
  });
});
