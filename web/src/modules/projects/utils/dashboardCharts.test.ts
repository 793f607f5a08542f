import { describe, expect, it } from 'vitest'
import type { Dashboard, Stage } from '@/modules/projects/api'
import { batchesOption, inUseByRegionOption, investmentOption, rankingOption, toppedOutOption } from './dashboardCharts'

// The shape of GET /api/v1/dashboard?month=2024-02 on the demo data (trimmed).
const D = {
  month: '2024-02',
  year: 2024,
  scope: 'city',
  id: null,
  scope_name: 'Quanzhou',
  projects: 100,
  stage_counts: { planned: 10, started: 5, building: 42, partly_in_use: 20, in_use: 23, in_use_or_partly: 43 },
  building_to_in_use: 7,
  batches_by_month: [
    { month: '2024-01', planned: 10, started: 5, building: 49, partly_in_use: 16, in_use: 20 },
    { month: '2024-02', planned: 10, started: 5, building: 42, partly_in_use: 20, in_use: 23 },
  ],
  investment: {
    ytd_invest_done_yuan: '6899000000.00',
    target_yuan: '30000000000.00',
    pct: '23.00',
    by_month: [
      { month: '2024-01', invest_done_yuan: '3449499999.48', ytd_invest_done_yuan: '3449499999.48' },
      { month: '2024-02', invest_done_yuan: '3449500000.52', ytd_invest_done_yuan: '6899000000.00' },
    ],
  },
  topped_out: {
    ytd_topped_out_m2: '1315200.00',
    target_m2: null,
    pct: null,
    by_month: [
      { month: '2024-01', topped_out_m2: '658209.60', ytd_topped_out_m2: '658209.60' },
      { month: '2024-02', topped_out_m2: '656990.40', ytd_topped_out_m2: '1315200.00' },
    ],
  },
  in_use_by_region: [
    { region_code: '350502', name: 'Licheng', in_use: 1, partly_in_use: 1, projects: 4 },
    { region_code: '350503', name: 'Fengze', in_use: 4, partly_in_use: 8, projects: 36 },
    { region_code: '350504', name: 'Luojiang', in_use: 0, partly_in_use: 0, projects: 0 },
  ],
  ranking: [
    { rank: 1, region_code: '350503', name: 'Fengze', projects: 36, ytd_invest_done_yuan: '3066222221.76', target_yuan: null, pct: null, in_use_share_pct: '33.33' },
    { rank: 2, region_code: '350582', name: 'Jinjiang', projects: 24, ytd_invest_done_yuan: '1398471852.68', target_yuan: null, pct: null, in_use_share_pct: '50.00' },
    { rank: 3, region_code: '350504', name: 'Luojiang', projects: 0, ytd_invest_done_yuan: '0.00', target_yuan: null, pct: null, in_use_share_pct: null },
  ],
  targets: [],
  late_reports: { month: '2024-02', due_date: '2024-03-10', overdue: true, items: [], count: 0, owed: 0 },
  stalled: { months: 3, since: '2023-12-01', items: [], count: 0 },
  data_version: 1,
} as unknown as Dashboard

const t = (k: string, v?: Record<string, unknown>) => (v ? `${k}(${JSON.stringify(v)})` : k)
const L = { t, stage: (s: Stage) => `S:${s}` }

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any

describe('dashboard charts', () => {
  it('stack the four batches (five stages) by month end', () => {
    const o = batchesOption(D, L) as Any
    expect(o.xAxis.data).toEqual(['dashboard.monthLabel({"m":1})', 'dashboard.monthLabel({"m":2})'])
    expect(o.series.map((s: Any) => s.name)).toEqual(['S:planned', 'S:started', 'S:building', 'S:partly_in_use', 'S:in_use'])
    expect(o.series.every((s: Any) => s.stack === 'batches' && s.type === 'bar')).toBe(true)
    expect(o.series.map((s: Any) => s.data[1])).toEqual([10, 5, 42, 20, 23])
    // each month end adds up to the projects counted
    expect(o.series.reduce((n: number, s: Any) => n + s.data[1], 0)).toBe(100)
  })

  it('plot investment in 亿元, rounded exactly, with the target as a line', () => {
    const { option, unit } = investmentOption(D, L)
    const o = option as Any
    expect(unit).toBe('yi')
    expect(o.yAxis.name).toBe('units.axis.yi')
    expect(o.series[0].data).toEqual([34.49, 34.5]) // 3449499999.48 → 34.49, 3449500000.52 → 34.50
    expect(o.series[1].data).toEqual([34.49, 68.99])
    expect(o.series[1].markLine.data).toEqual([{ yAxis: 300, name: 'dashboard.target' }])
    expect(o.yAxis.max({ max: 70 })).toBe(300)
  })

  it('use 万元 when nothing reaches 1亿元, and no target line without a target', () => {
    const small = {
      ...D,
      investment: {
        ytd_invest_done_yuan: '1500000.00',
        target_yuan: null,
        pct: null,
        by_month: [{ month: '2025-04', invest_done_yuan: '1500000.00', ytd_invest_done_yuan: '1500000.00' }],
      },
    } as Dashboard
    const { option, unit } = investmentOption(small, L)
    expect(unit).toBe('wan')
    expect((option as Any).series[1].data).toEqual([150])
    expect((option as Any).series[1].markLine).toBeUndefined()
    expect((option as Any).yAxis.max).toBeUndefined()
  })

  it('plot topped-out area in 万平方米', () => {
    const { option, unit } = toppedOutOption(D, L)
    expect(unit).toBe('wanM2')
    expect((option as Any).series[0].data).toEqual([65.82, 65.7])
    expect((option as Any).series[1].data).toEqual([65.82, 131.52])
  })

  it('show projects in use per region, regions without projects left out, most on top', () => {
    const o = inUseByRegionOption(D, L) as Any
    expect(o.yAxis.data).toEqual(['Licheng', 'Fengze'])
    expect(o.series[0].data).toEqual([1, 4])
    expect(o.series[1].data).toEqual([1, 8])
    expect(o.series[1].label.formatter({ dataIndex: 1 })).toBe('12/36')
  })

  it('rank regions by investment when no region has a target, rank 1 on top', () => {
    const r = rankingOption(D, L)
    const o = r.option as Any
    expect(r.byPct).toBe(false)
    expect(r.unit).toBe('yi')
    expect(o.yAxis.data).toEqual(['3. Luojiang', '2. Jinjiang', '1. Fengze'])
    expect(o.series[0].data).toEqual([0, 13.98, 30.66])
  })

  it('rank by percent of target when regions have targets', () => {
    const withPct = {
      ...D,
      ranking: [
        { ...D.ranking[0], rank: 2, pct: '12.50' },
        { ...D.ranking[1], rank: 1, pct: '40.00' },
      ],
    } as Dashboard
    const r = rankingOption(withPct, L)
    expect(r.byPct).toBe(true)
    expect((r.option as Any).series[0].data).toEqual([12.5, 40])
  })
})
