// Display of field values by their meta type. Civil times are China Standard Time
// (architecture §2), whatever the browser's own zone.
import type { FieldMeta, Region } from '@/shell/api/types'
import { groupDecimal } from './decimal'

const TZ = 'Asia/Shanghai'

function parts(d: Date): Record<string, string> {
  const out: Record<string, string> = {}
  for (const p of new Intl.DateTimeFormat('en-GB', {
    timeZone: TZ,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(d))
    out[p.type] = p.value
  return out
}

/** ISO instant → "YYYY-MM-DD HH:mm[:ss]" in China Standard Time. */
export function formatInstant(iso: string | null | undefined, seconds = false): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return String(iso)
  const p = parts(d)
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}${seconds ? `:${p.second}` : ''}`
}

/** A civil date (YYYY-MM-DD, CST) → the ISO instant of its first or last millisecond. */
export function dayBoundInstant(date: string, end: boolean): string {
  const t = new Date(`${date}T00:00:00.000+08:00`).getTime()
  return new Date(end ? t + 86_400_000 - 1 : t).toISOString()
}

export interface FormatContext {
  t: (key: string) => string
  regionName: (code: string) => string
}

export function regionLabel(r: Region | undefined, lang: string): string {
  if (!r) return ''
  return lang === 'en' && r.name_en ? r.name_en : r.name
}

export function formatValue(f: FieldMeta | undefined, v: unknown, ctx: FormatContext): string {
  if (v === null || v === undefined || v === '') return ''
  if (!f) return typeof v === 'object' ? JSON.stringify(v) : String(v)
  switch (f.type) {
    case 'bool':
      return v === true || v === 1 || v === 'true' ? ctx.t('common.yes') : ctx.t('common.no')
    case 'enum': {
      const o = (f.options || []).find((x) => x.value === String(v))
      return o ? o.label : String(v)
    }
    case 'region':
      return ctx.regionName(String(v)) || String(v)
    case 'money':
    case 'area':
      return groupDecimal(String(v))
    case 'time':
      return /^\d{4}-\d{2}-\d{2}T/.test(String(v)) ? formatInstant(String(v)) : String(v)
    default:
      return typeof v === 'object' ? JSON.stringify(v) : String(v)
  }
}
