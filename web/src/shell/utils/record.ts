// Form values ⇄ request bodies, driven by field meta.
import type { FieldMeta } from '@/shell/api/types'
import { normalizeDecimalInput } from './decimal'

/** Fields every record has and no body may carry (docs/api.md). */
export const SYSTEM_FIELDS = new Set(['id', 'version', 'created_at', 'updated_at', 'archived_at'])

export function isEditable(f: FieldMeta): boolean {
  return !f.readonly && !SYSTEM_FIELDS.has(f.name)
}

const DECIMAL_TYPES = new Set(['money', 'area', 'lng', 'lat'])

export function isDecimalType(t: string): boolean {
  return DECIMAL_TYPES.has(t)
}

/** A form's value for one field → the JSON value to send ('' → null). */
export function toWire(f: FieldMeta, v: unknown): unknown {
  if (v === undefined || v === null) return null
  if (f.type === 'bool') return !!v
  if (typeof v === 'string') {
    if (isDecimalType(f.type)) {
      const s = normalizeDecimalInput(v)
      return s === '' ? null : s // stays a string: exact decimals, never a JS float
    }
    if (f.type === 'int') {
      const s = v.trim()
      if (s === '') return null
      return /^-?\d{1,15}$/.test(s) ? Number(s) : s // let the server say what is wrong
    }
    if (f.type === 'text') return v === '' ? null : v
    return v === '' ? null : v
  }
  return v
}

/** A record from the server → form values (decimals and ints as strings for text inputs). */
export function toForm(fields: FieldMeta[], rec: Record<string, unknown> | null): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const f of fields) {
    const v = rec ? rec[f.name] : undefined
    if (f.type === 'bool') out[f.name] = v === true || v === 1 || v === 'true'
    else if (v === null || v === undefined) out[f.name] = f.type === 'enum' || f.type === 'region' || f.type === 'industry' || f.type === 'date' ? null : ''
    else if (isDecimalType(f.type) || f.type === 'int') out[f.name] = String(v)
    else out[f.name] = v
  }
  return out
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if ((a === null || a === undefined || a === '') && (b === null || b === undefined || b === '')) return true
  return JSON.stringify(a) === JSON.stringify(b)
}

/** Body for POST: every editable field with a value (empty ones are left out; false is kept). */
export function createBody(fields: FieldMeta[], form: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  for (const f of fields) {
    if (!isEditable(f)) continue
    const w = toWire(f, form[f.name])
    if (w === null) continue
    body[f.name] = w
  }
  return body
}

/** Body for PATCH: only the editable fields whose wire value differs from the original. */
export function patchBody(
  fields: FieldMeta[],
  original: Record<string, unknown>,
  form: Record<string, unknown>,
): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  for (const f of fields) {
    if (!isEditable(f)) continue
    const now = toWire(f, form[f.name])
    const before = original[f.name] === undefined ? null : original[f.name]
    const beforeWire = before === null ? null : toWire(f, isDecimalType(f.type) || f.type === 'int' ? String(before) : before)
    if (!same(now, beforeWire)) body[f.name] = now
  }
  return body
}

/** How a record of a `ref` field's target reads in a picker: its name (or title, username,
 *  label, floor-number) and its id. */
export function refText(r: Record<string, unknown> & { id: unknown }): string {
  const name = ['name', 'title', 'username', 'label'].map((k) => r[k]).find((v) => typeof v === 'string' && v)
  let main = typeof name === 'string' ? name : ''
  if (!main && typeof r.number === 'string' && r.number) main = r.floor != null ? `${r.floor}F-${r.number}` : r.number
  return main ? `${main} (#${String(r.id)})` : `#${String(r.id)}`
}
