/**
 * CloudFormation's intrinsic functions, resolved as CloudFormation resolves them, on the JSON of a processed
 * template (GetTemplate with TemplateStage Processed: SAM's transform applied, intrinsics still in place):
 * Ref, Fn::GetAtt, Fn::Sub, Fn::If, Fn::Join, Fn::Select, Fn::Split, and the condition functions (Fn::Equals,
 * Fn::Not, Fn::And, Fn::Or, Condition). Pure: what a reference stands for comes from the caller - a deployed
 * stack's resources (scripts/core/stack-template.ts) or a test's longest names. Anything else is an error that
 * names the function, never a guess.
 */

// biome-ignore lint/suspicious/noExplicitAny: a CloudFormation template is untyped JSON
export type Template = Record<string, any>;

/** What the references of one stack stand for. */
export interface References {
  /** Parameter values by name (a CommaDelimitedList as an array) and the pseudo parameters (AWS::Region …). */
  parameters: Record<string, string | string[]>;
  /** `Ref` of a resource: its physical id, or what its type returns for Ref. */
  ref(logicalId: string): string;
  /** `Fn::GetAtt`. */
  getAtt(logicalId: string, attribute: string): string;
}

/** A template that uses something this resolver does not know: the message names it. */
export class UnresolvableError extends Error {
  override name = 'UnresolvableError';
}

/** What `AWS::NoValue` leaves: the property or list element is removed. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The one key of an intrinsic function object (`{"Fn::Join": …}`), or undefined for a plain object. */
function intrinsicOf(node: Record<string, unknown>): string | undefined {
  const keys = Object.keys(node);
  if (keys.length !== 1) return undefined;
  const key = keys[0] as string;
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::') ? key : undefined;
}

/** Evaluates every condition of the template with these parameter values (conditions may name each other). */
export function evaluateConditions(
  template: Template,
  parameters: Record<string, string | string[]>,
): Record<string, boolean> {
  const definitions = (template.Conditions ?? {}) as Record<string, unknown>;
  const values: Record<string, boolean> = {};
  const evaluating = new Set<string>();
  const operand = (expr: unknown): unknown => {
    if (!isObject(expr)) return expr;
    if ('Ref' in expr) {
      const value = parameters[String(expr.Ref)];
      if (value === undefined) throw new UnresolvableError(`a condition refers to ${String(expr.Ref)}`);
      return Array.isArray(value) ? value.join(',') : value;
    }
    return evaluate(expr);
  };
  const evaluate = (expr: unknown): boolean => {
    if (!isObject(expr)) throw new UnresolvableError(`not a condition: ${JSON.stringify(expr)}`);
    const fn = intrinsicOf(expr);
    const args = fn ? expr[fn] : undefined;
    switch (fn) {
      case 'Condition':
        return condition(String(args));
      case 'Fn::Equals': {
        const [a, b] = (args as unknown[]).map(operand);
        return String(a) === String(b);
      }
      case 'Fn::Not':
        return !evaluate((args as unknown[])[0]);
      case 'Fn::And':
        return (args as unknown[]).every(evaluate);
      case 'Fn::Or':
        return (args as unknown[]).some(evaluate);
      default:
        throw new UnresolvableError(`condition function ${fn ?? JSON.stringify(expr)} is not supported`);
    }
  };
  const condition = (name: string): boolean => {
    if (name in values) return values[name] as boolean;
    if (!(name in definitions)) throw new UnresolvableError(`unknown condition ${name}`);
    if (evaluating.has(name)) throw new UnresolvableError(`condition ${name} refers to itself`);
    evaluating.add(name);
    values[name] = evaluate(definitions[name]);
    evaluating.delete(name);
    return values[name];
  };
  for (const name of Object.keys(definitions)) condition(name);
  return values;
}

/** A reference's value: a parameter (pseudo parameters included) or a resource. */
function refValue(name: string, refs: References): string | string[] | typeof NO_VALUE {
  if (name === 'AWS::NoValue') return NO_VALUE;
  const parameter = refs.parameters[name];
  if (parameter !== undefined) return parameter;
  if (name.startsWith('AWS::')) throw new UnresolvableError(`pseudo parameter ${name} is not known`);
  return refs.ref(name);
}

function getAttOf(args: unknown, refs: References): string {
  const [logicalId, attribute] =
    typeof args === 'string'
      ? [args.slice(0, args.indexOf('.')), args.slice(args.indexOf('.') + 1)]
      : Array.isArray(args)
        ? args
        : [];
  if (typeof logicalId !== 'string' || typeof attribute !== 'string' || !logicalId || !attribute) {
    throw new UnresolvableError(`Fn::GetAtt ${JSON.stringify(args)} is not LogicalId.Attribute`);
  }
  return refs.getAtt(logicalId, attribute);
}

/** `${Name}`, `${Resource.Attribute}`, `${AWS::Region}`, and `${!Literal}` for a literal `${Literal}`. */
function substitute(text: string, variables: Record<string, unknown>, refs: References): string {
  return text.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    const trimmed = name.trim();
    if (trimmed in variables) return String(variables[trimmed]);
    if (!trimmed.includes('::') && trimmed.includes('.')) return getAttOf(trimmed, refs);
    const value = refValue(trimmed, refs);
    if (typeof value !== 'string') throw new UnresolvableError(`Fn::Sub \${${trimmed}} is not a string`);
    return value;
  });
}

/**
 * `value` with every intrinsic resolved and every `AWS::NoValue` (and `Fn::If` branch that yields it) removed.
 * The top level itself may resolve to NO_VALUE.
 */
export function resolve(
  value: unknown,
  refs: References,
  conditions: Record<string, boolean>,
): unknown | typeof NO_VALUE {
  const again = (v: unknown) => resolve(v, refs, conditions);
  if (Array.isArray(value)) return value.map(again).filter((v) => v !== NO_VALUE);
  if (!isObject(value)) return value;
  const fn = intrinsicOf(value);
  if (!fn) {
    const entries = Object.entries(value)
      .map(([key, v]) => [key, again(v)] as const)
      .filter(([, v]) => v !== NO_VALUE);
    return Object.fromEntries(entries);
  }
  const args = value[fn];
  switch (fn) {
    case 'Ref':
      return refValue(String(args), refs);
    case 'Fn::GetAtt':
      return getAttOf(args, refs);
    case 'Fn::If': {
      const [name, whenTrue, whenFalse] = args as [string, unknown, unknown];
      if (!(name in conditions)) throw new UnresolvableError(`Fn::If names unknown condition ${name}`);
      return again(conditions[name] ? whenTrue : whenFalse);
    }
    case 'Fn::Sub': {
      const [text, variables] = typeof args === 'string' ? [args, {}] : (args as [string, unknown]);
      const resolved = again(variables ?? {}) as Record<string, unknown>;
      return substitute(String(text), resolved, refs);
    }
    case 'Fn::Join': {
      const [separator, list] = args as [string, unknown];
      const items = again(list);
      if (!Array.isArray(items)) throw new UnresolvableError('Fn::Join needs a list');
      return items.join(separator);
    }
    case 'Fn::Select': {
      const [index, list] = args as [unknown, unknown];
      const items = again(list);
      const at = Number(again(index));
      if (!Array.isArray(items) || !Number.isInteger(at) || at < 0 || at >= items.length) {
        throw new UnresolvableError(`Fn::Select ${JSON.stringify(args)} is out of range`);
      }
      return items[at];
    }
    case 'Fn::Split': {
      const [separator, text] = args as [string, unknown];
      return String(again(text)).split(separator);
    }
    default:
      throw new UnresolvableError(`${fn} is not supported`);
  }
}

/**
 * The resources present in the stack for these conditions: a resource whose Condition is false was never
 * created.
 */
export function presentResources(
  template: Template,
  conditions: Record<string, boolean>,
): [string, Template][] {
  return Object.entries((template.Resources ?? {}) as Record<string, Template>).filter(
    ([, resource]) => resource.Condition === undefined || conditions[resource.Condition] === true,
  );
}
