import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_RETENTION_DAYS, readConfig } from '../../../authenticated/src/config.ts';

describe('readConfig', () => {
  it('reads a complete configuration', () => {
    assert.deepEqual(
      readConfig({
        TABLE_NAME: 'hist',
        RETENTION_DAYS: '30',
        ON_WRITE_FAILURE: 'deny',
        DAY_INDEX_SHARDS: '4',
      }),
      {
        config: { tableName: 'hist', retentionDays: 30, onWriteFailure: 'deny', dayIndexShards: 4 },
        problems: [],
      },
    );
  });

  it('defaults the optional settings', () => {
    const { config, problems } = readConfig({ TABLE_NAME: 'hist' });
    assert.deepEqual(problems, []);
    assert.equal(config.retentionDays, DEFAULT_RETENTION_DAYS);
    assert.equal(config.onWriteFailure, 'allow');
    assert.equal(config.dayIndexShards, 1);
  });

  it('names the missing table variable', () => {
    assert.match(readConfig({}).problems.join('\n'), /TABLE_NAME is not set/);
  });

  it('reports each invalid value with the variable name and falls back to allow', () => {
    const { config, problems } = readConfig({
      TABLE_NAME: 'a b',
      RETENTION_DAYS: '-1',
      ON_WRITE_FAILURE: 'Deny',
      DAY_INDEX_SHARDS: '0',
    });
    assert.equal(problems.length, 4);
    for (const name of ['TABLE_NAME', 'RETENTION_DAYS', 'ON_WRITE_FAILURE', 'DAY_INDEX_SHARDS']) {
      assert.ok(
        problems.some((p) => p.includes(name)),
        `${name} not named in ${problems}`,
      );
    }
    assert.equal(config.onWriteFailure, 'allow');
  });

  it('rejects fractional and oversized numbers', () => {
    assert.equal(readConfig({ TABLE_NAME: 'hist', RETENTION_DAYS: '1.5' }).problems.length, 1);
    assert.equal(readConfig({ TABLE_NAME: 'hist', DAY_INDEX_SHARDS: '101' }).problems.length, 1);
  });
});
