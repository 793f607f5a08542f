// Space and enterprises (docs/api.md "Space and enterprises", docs/space-and-rates.md):
// the unit map (租控图) layout, rate display and match reasons, as plain functions the pages use.
import { groupDecimal } from '@/shell/utils/decimal'

export const UNIT_STATUSES = ['vacant', 'reserved', 'signed', 'occupied', 'unavailable'] as const
export type UnitStatus = (typeof UNIT_STATUSES)[number]

/** A unit as the unit map needs it (the rest of the record rides along). */
export interface UnitLike {
  id: number | string
  floor: number | string | null
  number: string | null
  status?: string | null
  area_m2?: string | null
  [k: string]: unknown
}

export interface UnitMapRow<U extends UnitLike = UnitLike> {
  floor: number
  /** the floor's units, in unit-number order; null = an empty cell to keep columns aligned */
  cells: (U | null)[]
}

export interface UnitMapLayout<U extends UnitLike = UnitLike> {
  /** top floor first, as a building is drawn; floors without units in between are kept
   *  (empty rows) so the picture is the building's shape */
  rows: UnitMapRow<U>[]
  /** the widest floor */
  columns: number
  counts: Record<UnitStatus, number>
}

/** Natural order of unit numbers: "2" < "10", "A-2" < "A-10". */
export function compareUnitNumber(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' })
}

function floorOf(u: UnitLike): number {
  const n = typeof u.floor === 'number' ? u.floor : parseInt(String(u.floor ?? ''), 10)
  return Number.isFinite(n) ? n : 0
}

/** Floors × units grid from a building's units. `fillFloors`: the building's floor count, so
 *  floors with no unit yet still show as empty rows (basement floors are negative). */
export function unitMapLayout<U extends UnitLike>(units: U[], fillFloors = 0): UnitMapLayout<U> {
  const byFloor = new Map<number, U[]>()
  const counts = Object.fromEntries(UNIT_STATUSES.map((s) => [s, 0])) as Record<UnitStatus, number>
  for (const u of units) {
    const f = floorOf(u)
    if (!byFloor.has(f)) byFloor.set(f, [])
    byFloor.get(f)!.push(u)
    const s = u.status as UnitStatus
    if (s in counts) counts[s]++
  }
  const floors = new Set(byFloor.keys())
  const top = Math.max(fillFloors, ...floors, 0)
  const bottom = Math.min(...floors, 1)
  for (let f = bottom; f <= top; f++) if (f !== 0 || floors.has(0)) floors.add(f)
  const ordered = [...floors].sort((a, b) => b - a)
  let columns = 0
  const rows = ordered.map((floor) => {
    const list = (byFloor.get(floor) || []).slice().sort((a, b) => compareUnitNumber(String(a.number ?? ''), String(b.number ?? '')))
    columns = Math.max(columns, list.length)
    return { floor, cells: list as (U | null)[] }
  })
  for (const r of rows) while (r.cells.length < columns) r.cells.push(null)
  return { rows, columns, counts }
}

/** The CSS modifier of a status (unknown statuses get the neutral look). */
export function unitStatusClass(status: string | null | undefined): string {
  return `pb-unit--${(UNIT_STATUSES as readonly string[]).includes(String(status)) ? status : 'unknown'}`
}

/** A rate as the API gives it (a JSON number with 2 decimals, or null when the denominator is
 *  0) → "95.19" with exactly two decimals, or '' for null. Strings are accepted too. The value
 *  is only displayed, never computed with. */
export function formatRate(v: number | string | null | undefined): string {
  if (v === null || v === undefined || v === '') return ''
  if (typeof v === 'string') {
    const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(v.trim())
    if (!m) return v
    const frac = (m[3] || '').padEnd(2, '0')
    if (frac.length > 2) return formatRate(Number(v)) // more than 2 decimals: round like a number
    return `${m[1]}${m[2]}.${frac}`
  }
  if (!Number.isFinite(v)) return ''
  // the API's numbers carry at most 2 decimals; toFixed(2) of their nearest double is exact
  return v.toFixed(2)
}

/** "95.19" → "95.19%" or the dash placeholder when there is no rate. */
export function rateText(v: number | string | null | undefined, dash = '—'): string {
  const s = formatRate(v)
  return s ? `${s}%` : dash
}

/** Width of a rate bar, 0–100 (display only). */
export function rateBar(v: number | string | null | undefined): number {
  const s = formatRate(v)
  if (!s) return 0
  return Math.max(0, Math.min(100, Number(s)))
}

export interface MatchMiss {
  requirement: string
  wanted?: string | number | boolean | null
  offered?: string | number | boolean | null
  shortfall?: string | number | null
}
/** What the matches answer says of each space beside its id. */
export interface MatchSpace {
  title: string
  region_code: string | null
  region_name?: string | null
  park_id: number | string | null
  park_name?: string | null
  building_name?: string | null
  unit_number?: string | null
  floor?: number | null
  floor_m2?: string | null
  rent_fen?: string | null
  price_fen?: string | null
  source?: string | null
  status?: string | null
  address?: string | null
}

export interface MatchItem {
  space_id: number | string
  score: number | string
  meets?: string[]
  misses?: MatchMiss[]
  space?: MatchSpace | null
}

/** Where a matched space is: park · building · floor-unit for a park unit, else its address. */
export function matchPlace(s: MatchSpace | undefined | null): string {
  if (!s) return ''
  if (s.park_name) {
    const unit = s.unit_number ? (s.floor != null ? `${s.floor}F-${s.unit_number}` : s.unit_number) : ''
    return [s.park_name, s.building_name, unit].filter((x) => !!x).join(' · ')
  }
  return s.address || ''
}

export interface ReasonLine {
  requirement: string
  label: string
  wanted: string
  offered: string
  shortfall: string
}

export interface MatchReasons {
  meets: { requirement: string; label: string }[]
  misses: ReasonLine[]
}

/** Labels and values of a match's reasons. `label` names a requirement (a space field name
 *  such as floor_load); `value` shows a wanted/offered value of it (yes/no for booleans,
 *  enum labels, grouped decimals). */
export function matchReasons(
  item: MatchItem,
  label: (requirement: string) => string,
  value: (requirement: string, v: unknown) => string = (_r, v) => plainValue(v),
): MatchReasons {
  return {
    meets: (item.meets || []).map((r) => ({ requirement: r, label: label(r) || r })),
    misses: (item.misses || []).map((m) => ({
      requirement: m.requirement,
      label: label(m.requirement) || m.requirement,
      wanted: m.wanted === null || m.wanted === undefined ? '' : value(m.requirement, m.wanted),
      offered: m.offered === null || m.offered === undefined ? '' : value(m.requirement, m.offered),
      shortfall: m.shortfall === null || m.shortfall === undefined || m.shortfall === '' ? '' : groupDecimal(String(m.shortfall)),
    })),
  }
}

function plainValue(v: unknown): string {
  if (typeof v === 'string' || typeof v === 'number') return groupDecimal(String(v))
  return String(v)
}

/** The score as shown: "87.27" (two decimals), whatever JSON made of it. */
export function formatScore(v: number | string | null | undefined): string {
  return formatRate(v)
}

/** "12, 13,x" → ["12","13"]: the ids of lease.unit_ids. */
export function parseIdList(s: unknown): string[] {
  return String(s ?? '')
    .split(/[,，\s]+/)
    .map((x) => x.trim())
    .filter((x) => /^\d+$/.test(x))
}

/** The lease covering a unit now (not ended), among a park's leases. */
export function leaseOfUnit<L extends { unit_ids?: unknown; status?: unknown; archived_at?: unknown }>(
  leases: L[],
  unitId: string | number,
): L | null {
  const id = String(unitId)
  return leases.find((l) => !l.archived_at && l.status !== 'ended' && parseIdList(l.unit_ids).includes(id)) || null
}

/** Sum of decimal-string areas, exact (hundredths), for the area of a selection of units. */
export function sumAreas(areas: (string | null | undefined)[]): string {
  let total = 0n
  for (const a of areas) {
    const m = /^(\d+)(?:\.(\d{0,2}))?$/.exec(String(a ?? '').trim())
    if (!m) continue
    total += BigInt(m[1]) * 100n + BigInt((m[2] || '').padEnd(2, '0') || '0')
  }
  const s = total.toString().padStart(3, '0')
  return `${s.slice(0, -2)}.${s.slice(-2)}`
}

/** Today's civil date in China Standard Time, YYYY-MM-DD. */
export function todayCST(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
}

/** A file size for people: 980 B, 12.3 KB, 4.5 MB. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return ''
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / (1024 * 1024)).toFixed(1)} MB`
}
