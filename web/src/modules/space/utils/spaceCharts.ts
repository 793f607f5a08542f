// ECharts options for the rates page (pure functions, so they are unit-tested without a canvas).
// Rates are the server's JSON numbers (two decimals, null when there is nothing marketable);
// areas are decimal strings, turned into numbers only for drawing (the tables keep the exact text).

export interface RateRow {
  name: string
  absorption: number | null
  occupancy: number | null
}

export interface BandArea {
  band: string
  vacant_m2: string
}

const pct = (v: number | null): number | null => (v === null || v === undefined ? null : v)

/** Grouped bars: 去化率 and 入驻率 per region or park; rows without any marketable space are left out. */
export function ratesBarOption(rows: RateRow[], labels: { absorption: string; occupancy: string }, horizontal = false): Record<string, unknown> {
  const shown = rows.filter((r) => r.absorption !== null || r.occupancy !== null)
  const cat = { type: 'category', data: shown.map((r) => r.name), axisLabel: { interval: 0, rotate: horizontal ? 0 : shown.length > 8 ? 40 : 0 } }
  const val = { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } }
  const label = { show: shown.length <= 12, position: horizontal ? 'right' : 'top', formatter: (p: { value: number | null }) => (p.value === null ? '' : `${Number(p.value).toFixed(2)}%`) }
  return {
    tooltip: { trigger: 'axis', valueFormatter: (v: number | null) => (v === null || v === undefined ? '—' : `${Number(v).toFixed(2)}%`) },
    legend: { top: 0 },
    grid: { left: horizontal ? 120 : 48, right: 56, top: 36, bottom: horizontal ? 24 : 72, containLabel: false },
    xAxis: horizontal ? val : cat,
    yAxis: horizontal ? { ...cat, inverse: true, axisLabel: { width: 110, overflow: 'truncate' } } : val,
    series: [
      { name: labels.absorption, type: 'bar', data: shown.map((r) => pct(r.absorption)), label },
      { name: labels.occupancy, type: 'bar', data: shown.map((r) => pct(r.occupancy)), label },
    ],
  }
}

/** Adds up the bands of several answers (a region user's regions), exactly in hundredths. */
export function sumBands(lists: (BandArea[] | undefined)[]): BandArea[] {
  const order: string[] = []
  const tot = new Map<string, bigint>()
  for (const l of lists) {
    for (const b of l || []) {
      const m = /^(\d+)(?:\.(\d{0,2}))?$/.exec(String(b.vacant_m2 ?? '').trim())
      if (!tot.has(b.band)) {
        order.push(b.band)
        tot.set(b.band, 0n)
      }
      if (m) tot.set(b.band, (tot.get(b.band) as bigint) + BigInt(m[1]) * 100n + BigInt((m[2] || '').padEnd(2, '0')))
    }
  }
  return order.map((band) => {
    const s = (tot.get(band) as bigint).toString().padStart(3, '0')
    return { band, vacant_m2: `${s.slice(0, -2)}.${s.slice(-2)}` }
  })
}

/** One bar per band of vacant area (m²). */
export function bandsBarOption(bands: BandArea[], bandLabel: (band: string) => string, seriesName: string): Record<string, unknown> {
  return {
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${Number(v).toLocaleString('zh-CN', { maximumFractionDigits: 2 })} m²` },
    grid: { left: 72, right: 24, top: 24, bottom: 32 },
    xAxis: { type: 'category', data: bands.map((b) => bandLabel(b.band)), axisLabel: { interval: 0 } },
    yAxis: { type: 'value', name: 'm²' },
    series: [{ name: seriesName, type: 'bar', data: bands.map((b) => Number(b.vacant_m2)), barMaxWidth: 48 }],
  }
}

/** Runs fn over items at most `n` at a time (the page asks the rates of many parks). */
export async function mapLimit<T, R>(items: T[], n: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  async function worker() {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i])
    }
  }
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker))
  return out
}
