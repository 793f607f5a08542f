// Shapes of docs/api.md.

export type Role =
  | 'admin'
  | 'city'
  | 'region'
  | 'operator'
  | 'enterprise'
  | 'viewer'
  | 'auditor'
  | 'apartment_desk'
  | 'applicant'

export interface User {
  id: number | string
  username: string
  display_name?: string | null
  role: Role
  must_change_password: boolean
  /** city-wide jurisdiction (admin, city, viewer …) */
  all_regions?: boolean
  role_label?: string
  regions: string[]
  parks: (number | string)[]
}

export interface SessionAnswer {
  token: string
  user: User
}

export type FieldType =
  | 'text'
  | 'int'
  | 'bool'
  | 'enum'
  | 'date'
  | 'money'
  | 'area'
  | 'lng'
  | 'lat'
  | 'region'
  | 'industry'
  | 'ref'
  | 'time'

export interface FieldOption {
  value: string
  label: string
}

export interface FieldMeta {
  name: string
  type: FieldType
  label: string
  required?: boolean
  readonly?: boolean
  filter?: string | null // "eq", "like", "range", "" …
  sortable?: boolean
  max_len?: number
  options?: FieldOption[]
  [k: string]: unknown
}

export interface ResourceMeta {
  label: string
  fields: FieldMeta[]
  [k: string]: unknown
}

export type Action = 'read' | 'create' | 'update' | 'archive' | 'export'

/** The server's policy table: policy key → role → the actions it allows (src/domain/account.c). */
export type PolicyTable = Record<string, Partial<Record<Role, Action[]>>>

export interface MetaAnswer {
  resources: Record<string, ResourceMeta>
  policy?: PolicyTable
}

export interface Region {
  code: string
  name: string
  name_en?: string
  kind: string
  parent_code?: string | null
  rollup_code?: string | null
}

export interface Industry {
  code: string
  level: number
  section?: string
  name: string
  name_en?: string
}

export interface Page<T> {
  items: T[]
  next_cursor: string | null
  /** absent on collections that do not count (e.g. /audit at the time of writing) */
  total?: number
}

export type ResourceRecord = Record<string, unknown> & {
  id: number | string
  version?: number
  archived_at?: string | null
}

export interface AuditRecord {
  id: number | string
  chain?: string
  seq?: number
  at: string
  account_id?: number | string | null
  username?: string | null
  role?: string | null
  region_code?: string | null
  action: string
  resource?: string | null
  object_id?: string | number | null
  result?: string | null
  changes?: unknown
  client_addr?: string | null
  request_id?: string | null
  hash?: string
}
