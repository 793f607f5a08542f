// Amounts in the programme's units (亿元 / 万元, 万平方米), from the API's exact decimal strings
// (yuan and m², at most 2 decimals). All scaling is on BigInt, rounded half up on the exact value
// as the bulletins do (docs/projects.md "The bulletin"); a JS number appears only at the very end,
// for a chart to plot a value that is already rounded.
import { toScaled, fromScaled } from '@/shell/utils/decimal'

/** Divides a non-negative or negative scaled value, rounding half away from zero ("half up"). */
function divHalfUp(n: bigint, d: bigint): bigint {
  const neg = n < 0n
  const a = neg ? -n : n
  const q = (a * 2n + d) / (2n * d)
  return neg ? -q : q
}

export type MoneyUnit = 'yi' | 'wan' | 'yuan'
export type AreaUnit = 'wanM2' | 'm2'

const FEN_PER: Record<MoneyUnit, bigint> = {
  yi: 10_000_000_000n, // 1 亿元 = 10^8 yuan = 10^10 fen
  wan: 1_000_000n, // 1 万元 = 10^4 yuan
  yuan: 100n,
}

/** yuan ("6899000000.00") → the amount in `unit` with `scale` decimals ("68.99"); null if not a decimal. */
export function yuanIn(yuan: string | null | undefined, unit: MoneyUnit, scale = 2): string | null {
  if (yuan === null || yuan === undefined) return null
  const fen = toScaled(String(yuan), 2)
  if (fen === null) return null
  const per = FEN_PER[unit] / 10n ** BigInt(scale)
  return per >= 1n ? fromScaled(divHalfUp(fen, per), scale) : fromScaled(fen * (10n ** BigInt(scale) / FEN_PER[unit]), scale)
}

/** m² ("1315200.00") → 万平方米 with 2 decimals ("131.52"), or whole m² for unit m2. */
export function m2In(m2: string | null | undefined, unit: AreaUnit): string | null {
  if (m2 === null || m2 === undefined) return null
  const h = toScaled(String(m2), 2) // hundredths of m²
  if (h === null) return null
  return unit === 'wanM2' ? fromScaled(divHalfUp(h, 10_000n), 2) : fromScaled(divHalfUp(h, 100n), 0)
}

/** The bulletin's choice (as the server's fmt_money): 亿元 from exactly 1亿元 up, otherwise 万元. */
export function moneyUnitFor(yuan: string | null | undefined): MoneyUnit {
  const fen = yuan === null || yuan === undefined ? null : toScaled(String(yuan), 2)
  if (fen === null) return 'wan'
  const a = fen < 0n ? -fen : fen
  return a >= FEN_PER.yi ? 'yi' : 'wan'
}

/** 万平方米 from exactly 1万平方米 up, otherwise whole 平方米 (the server's fmt_area). */
export function areaUnitFor(m2: string | null | undefined): AreaUnit {
  const h = m2 === null || m2 === undefined ? null : toScaled(String(m2), 2)
  if (h === null) return 'm2'
  const a = h < 0n ? -h : h
  return a >= 1_000_000n ? 'wanM2' : 'm2'
}

/** One unit for a whole chart axis: the one the largest value would get. */
export function moneyUnitForAll(values: (string | null | undefined)[]): MoneyUnit {
  return values.some((v) => moneyUnitFor(v) === 'yi') ? 'yi' : 'wan'
}
export function areaUnitForAll(values: (string | null | undefined)[]): AreaUnit {
  return values.some((v) => areaUnitFor(v) === 'wanM2') ? 'wanM2' : 'm2'
}

export interface Shown {
  /** the number as text, e.g. "68.99" */
  n: string
  /** i18n key of the unit template, e.g. "units.yi" ("{n}亿元") */
  key: string
}

/** An amount as the bulletin writes it: "68.99" + units.yi, or "150.00" + units.wan. */
export function showMoney(yuan: string | null | undefined, unit?: MoneyUnit): Shown | null {
  const u = unit || moneyUnitFor(yuan)
  const n = yuanIn(yuan, u)
  return n === null ? null : { n, key: `units.${u}` }
}

/** An area as the bulletin writes it: "131.52" + units.wanM2, or "5000" + units.m2. */
export function showArea(m2: string | null | undefined, unit?: AreaUnit): Shown | null {
  const u = unit || areaUnitFor(m2)
  const n = m2In(m2, u)
  return n === null ? null : { n, key: `units.${u}` }
}

/** A rounded decimal string → a number for a chart to plot (never used for arithmetic). */
export function plotValue(s: string | null | undefined): number | null {
  if (s === null || s === undefined || s === '') return null
  const v = Number(s)
  return Number.isFinite(v) ? v : null
}

/** "YYYY-MM" of the month before the one containing `now`, in China Standard Time. */
export function previousMonth(now: Date = new Date()): string {
  const cst = new Date(now.getTime() + 8 * 3600_000)
  let y = cst.getUTCFullYear()
  let m = cst.getUTCMonth() // 0-based: the previous month, 1-based
  if (m === 0) {
    y -= 1
    m = 12
  }
  return `${y}-${String(m).padStart(2, '0')}`
}

/** "2024-02" → 2 */
export function monthNumber(month: string): number {
  return parseInt(month.slice(5, 7), 10)
}

/** "YYYY-MM" of the month containing `now`, in China Standard Time. */
export function currentMonth(now: Date = new Date()): string {
  const cst = new Date(now.getTime() + 8 * 3600_000)
  return `${cst.getUTCFullYear()}-${String(cst.getUTCMonth() + 1).padStart(2, '0')}`
}
