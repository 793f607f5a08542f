// ECharts options from GET /api/v1/dashboard. Pure functions (unit-tested): money and areas are
// scaled to 亿元/万元 and 万平方米 on BigInt (units.ts) before a chart sees a number.
import type { EChartsCoreOption } from 'echarts/core'
import type { Dashboard, Stage } from '@/modules/projects/api'
import { STAGES } from '@/modules/projects/api'
import { areaUnitForAll, m2In, moneyUnitForAll, plotValue, yuanIn, type AreaUnit, type MoneyUnit } from './units'

export type Translate = (key: string, values?: Record<string, unknown>) => string

export interface ChartLabels {
  t: Translate
  /** stage → its label (from /meta, in the UI language) */
  stage: (s: Stage) => string
}

/** The programme's colours per stage: planned grey-blue … in use green. */
export const STAGE_COLORS: Record<Stage, string> = {
  planned: '#8fa3bf',
  started: '#e6a23c',
  building: '#409eff',
  partly_in_use: '#95d475',
  in_use: '#2e8b57',
}

function monthLabel(month: string, t: Translate): string {
  return t('dashboard.monthLabel', { m: parseInt(month.slice(5, 7), 10) })
}

/** The four batches (谋划/开工/在建/投用, with partial use apart) at each month end, stacked. */
export function batchesOption(d: Dashboard, l: ChartLabels): EChartsCoreOption {
  const months = d.batches_by_month.map((r) => r.month)
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    grid: { left: 40, right: 16, top: 40, bottom: 24, containLabel: true },
    xAxis: { type: 'category', data: months.map((m) => monthLabel(m, l.t)) },
    yAxis: { type: 'value', name: l.t('dashboard.unitProjects'), minInterval: 1 },
    series: STAGES.map((s) => ({
      name: l.stage(s),
      type: 'bar',
      stack: 'batches',
      itemStyle: { color: STAGE_COLORS[s] },
      emphasis: { focus: 'series' },
      data: d.batches_by_month.map((r) => r[s] ?? 0),
    })),
  }
}

export interface AmountChart {
  option: EChartsCoreOption
  unit: MoneyUnit | AreaUnit
}

function targetLine(value: number | null, name: string) {
  if (value === null) return undefined
  return {
    symbol: 'none',
    lineStyle: { type: 'dashed', color: '#f56c6c' },
    label: { formatter: name, position: 'insideEndTop' },
    data: [{ yAxis: value, name }],
  }
}

/** Investment completed per month (bars) and 1—N月 cumulative (line) against the yearly target. */
export function investmentOption(d: Dashboard, l: ChartLabels): AmountChart {
  const inv = d.investment
  const unit = moneyUnitForAll([...inv.by_month.map((r) => r.ytd_invest_done_yuan), inv.target_yuan])
  const u = l.t(`units.axis.${unit}`)
  const target = plotValue(yuanIn(inv.target_yuan, unit))
  return {
    unit,
    option: {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 40, bottom: 24, containLabel: true },
      xAxis: { type: 'category', data: inv.by_month.map((r) => monthLabel(r.month, l.t)) },
      yAxis: { type: 'value', name: u, max: target !== null ? (v: { max: number }) => Math.max(v.max, target) : undefined },
      series: [
        {
          name: l.t('dashboard.investMonth'),
          type: 'bar',
          itemStyle: { color: '#409eff' },
          data: inv.by_month.map((r) => plotValue(yuanIn(r.invest_done_yuan, unit))),
        },
        {
          name: l.t('dashboard.investYtd'),
          type: 'line',
          itemStyle: { color: '#2e8b57' },
          data: inv.by_month.map((r) => plotValue(yuanIn(r.ytd_invest_done_yuan, unit))),
          markLine: targetLine(target, l.t('dashboard.target')),
        },
      ],
    },
  }
}

/** Floor area newly topped out per month and cumulative, against the target. */
export function toppedOutOption(d: Dashboard, l: ChartLabels): AmountChart {
  const to = d.topped_out
  const unit = areaUnitForAll([...to.by_month.map((r) => r.ytd_topped_out_m2), to.target_m2])
  const u = l.t(`units.axis.${unit}`)
  const target = plotValue(m2In(to.target_m2, unit))
  return {
    unit,
    option: {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 40, bottom: 24, containLabel: true },
      xAxis: { type: 'category', data: to.by_month.map((r) => monthLabel(r.month, l.t)) },
      yAxis: { type: 'value', name: u, max: target !== null ? (v: { max: number }) => Math.max(v.max, target) : undefined },
      series: [
        {
          name: l.t('dashboard.toppedMonth'),
          type: 'bar',
          itemStyle: { color: '#e6a23c' },
          data: to.by_month.map((r) => plotValue(m2In(r.topped_out_m2, unit))),
        },
        {
          name: l.t('dashboard.toppedYtd'),
          type: 'line',
          itemStyle: { color: '#b88230' },
          data: to.by_month.map((r) => plotValue(m2In(r.ytd_topped_out_m2, unit))),
          markLine: targetLine(target, l.t('dashboard.target')),
        },
      ],
    },
  }
}

/** Projects in use and partly in use per region (regions with projects only), horizontal. */
export function inUseByRegionOption(d: Dashboard, l: ChartLabels): EChartsCoreOption {
  const rows = d.in_use_by_region.filter((r) => r.projects > 0)
  // a horizontal bar chart draws its first category at the bottom: most in use on top
  rows.sort((a, b) => a.in_use + a.partly_in_use - (b.in_use + b.partly_in_use) || b.name.localeCompare(a.name))
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    grid: { left: 8, right: 24, top: 40, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1, name: l.t('dashboard.unitProjects') },
    yAxis: { type: 'category', data: rows.map((r) => r.name) },
    series: (['in_use', 'partly_in_use'] as const).map((s) => ({
      name: l.stage(s),
      type: 'bar',
      stack: 'use',
      itemStyle: { color: STAGE_COLORS[s] },
      label: { show: s === 'partly_in_use', position: 'right', formatter: (p: { dataIndex: number }) => {
        const r = rows[p.dataIndex]
        return `${r.in_use + r.partly_in_use}/${r.projects}`
      } },
      data: rows.map((r) => r[s]),
    })),
  }
}

/** The ranking of regions: percent of the yearly investment target when regions have targets,
 *  otherwise the investment itself (the server's order, decision in docs/projects.md). */
export function rankingOption(d: Dashboard, l: ChartLabels): AmountChart & { byPct: boolean } {
  const rows = [...d.ranking].sort((a, b) => b.rank - a.rank) // bottom-up: rank 1 on top
  const byPct = rows.some((r) => r.pct !== null)
  const unit = moneyUnitForAll(rows.map((r) => r.ytd_invest_done_yuan))
  const value = (r: Dashboard['ranking'][number]) =>
    byPct ? plotValue(r.pct) : plotValue(yuanIn(r.ytd_invest_done_yuan, unit))
  return {
    unit,
    byPct,
    option: {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 8, right: 48, top: 28, bottom: 8, containLabel: true },
      xAxis: { type: 'value', name: byPct ? '%' : l.t(`units.axis.${unit}`) },
      yAxis: { type: 'category', data: rows.map((r) => `${r.rank}. ${r.name}`) },
      series: [
        {
          name: byPct ? l.t('dashboard.rankPct') : l.t('dashboard.investYtd'),
          type: 'bar',
          itemStyle: { color: '#1f3a60' },
          label: { show: true, position: 'right' },
          data: rows.map(value),
        },
      ],
    },
  }
}
