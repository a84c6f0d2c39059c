/**
 * The lake's column schema, defined once: every field the OCSF mapping (ocsf.ts) writes, with its type. The
 * Parquet files (ocsf-parquet.ts), DuckDB's reading of them (scripts/lake) and the Glue table
 * (template.yaml, checked by a test against this list) all follow it; nothing is inferred from the data.
 * Types follow OCSF 1.1.0: `timestamp_t` and `long_t` are 64-bit (`bigint`), `integer_t` 32-bit (`int`).
 */

export type LeafType = 'int' | 'bigint' | 'string' | 'boolean' | 'string[]';
export type Column = { name: string; type: LeafType } | { name: string; fields: readonly Column[] };

const s = (name: string): Column => ({ name, type: 'string' });
const i = (name: string): Column => ({ name, type: 'int' });
const struct = (name: string, ...fields: Column[]): Column => ({ name, fields });

/** Top-level columns in the order of the files. Partition columns (region, accountId, eventDay) are the path's. */
export const OCSF_COLUMNS: readonly Column[] = [
  i('activity_id'),
  s('activity_name'),
  i('category_uid'),
  s('category_name'),
  i('class_uid'),
  s('class_name'),
  { name: 'type_uid', type: 'bigint' },
  s('type_name'),
  i('severity_id'),
  s('severity'),
  i('status_id'),
  s('status'),
  s('status_code'),
  s('status_detail'),
  { name: 'time', type: 'bigint' },
  struct(
    'metadata',
    s('version'),
    s('uid'),
    s('log_name'),
    s('log_provider'),
    s('event_code'),
    { name: 'profiles', type: 'string[]' },
    struct('product', s('name'), s('vendor_name'), struct('feature', s('name'))),
  ),
  struct('cloud', s('provider'), s('region'), struct('account', s('uid'))),
  struct(
    'user',
    s('uid'),
    s('name'),
    s('email_addr'),
    i('type_id'),
    s('type'),
    struct('account', s('uid'), i('type_id'), s('type')),
  ),
  struct('service', s('name'), s('uid')),
  struct('actor', struct('user', s('uid')), struct('idp', s('name'))),
  struct('src_endpoint', s('ip')),
  struct('http_request', s('user_agent')),
  struct('api', s('operation'), struct('service', s('name'))),
  i('auth_protocol_id'),
  s('auth_protocol'),
  { name: 'is_mfa', type: 'boolean' },
  { name: 'is_new_logon', type: 'boolean' },
  struct('unmapped', s('email_addr'), s('src_endpoint_ip')),
];

/** The partition columns of the lake's layout, in path order (all strings: an account id keeps its zeros). */
export const PARTITION_COLUMNS = ['region', 'accountId', 'eventDay'] as const;
