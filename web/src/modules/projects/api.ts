// Projects (issue 4): transitions, monthly reports, statistics, bulletin, late list, dashboard
// (docs/api.md "Projects: 四个一批 rolling management"). Amounts stay decimal strings.
import { api, request, rawRequest, dispositionFilename, type Query } from '@/shell/api/client'

export type Stage = 'planned' | 'started' | 'building' | 'partly_in_use' | 'in_use'
export const STAGES: Stage[] = ['planned', 'started', 'building', 'partly_in_use', 'in_use']

export interface StageCounts {
  planned: number
  started: number
  building: number
  partly_in_use: number
  in_use: number
  in_use_or_partly?: number
}

export interface Transition {
  id: number
  project_id?: number
  stage: Stage
  from_stage: Stage | null
  date: string
  evidence: string
  evidence_kind?: string
  reason?: string
  irregular?: boolean
  created_at?: string
}

export interface TransitionBody {
  stage: string
  date: string
  evidence: string
  evidence_kind?: string
  reason?: string
}

export interface Report {
  id: number
  project_id: number
  month: string
  rev: number
  status: 'submitted' | 'confirmed' | 'superseded'
  current: boolean
  effective: boolean
  invest_done_yuan: string
  topped_out_m2: string
  topped_out_supporting_m2: string
  completed_m2: string
  stage: Stage | null
  problems: string
  note: string
  submitted_at: string | null
  submitted_by: number | null
  confirmed_at: string | null
  confirmed_by: number | null
  invest_cum_yuan?: string
  topped_out_cum_m2?: string
  completed_cum_m2?: string
  history?: Report[]
}

export interface TargetRow {
  indicator: string
  target: string | number | null
  target_to_month: string | number | null
  actual: string | number | null
  pct: string | null
  pace_needed_per_month: string | number | null
  regions_behind: { region_code: string; name: string; pct: string | null }[]
}

export interface LateList {
  month: string
  due_date: string
  overdue: boolean
  items: { project_id: number; name: string; region_code: string; park_id: number; status: 'missing' | 'submitted_late' }[]
  count: number
  owed: number
}

export interface Dashboard {
  month: string
  year: number
  scope: string
  id: string | null
  scope_name: string
  projects: number
  stage_counts: StageCounts
  building_to_in_use: number
  batches_by_month: ({ month: string } & StageCounts)[]
  investment: {
    ytd_invest_done_yuan: string
    target_yuan: string | null
    pct: string | null
    by_month: { month: string; invest_done_yuan: string; ytd_invest_done_yuan: string }[]
  }
  topped_out: {
    ytd_topped_out_m2: string
    target_m2: string | null
    pct: string | null
    by_month: { month: string; topped_out_m2: string; ytd_topped_out_m2: string }[]
  }
  in_use_by_region: { region_code: string; name: string; in_use: number; partly_in_use: number; projects: number }[]
  ranking: {
    rank: number
    region_code: string
    name: string
    projects: number
    ytd_invest_done_yuan: string
    target_yuan: string | null
    pct: string | null
    in_use_share_pct: string | null
  }[]
  targets: TargetRow[]
  late_reports: LateList
  stalled: { months: number; since: string; items: { project_id: number; name: string; region_code: string; stage: Stage; stage_since: string }[]; count: number }
  data_version: number
}

export interface Monthly {
  month: string
  scope: string
  id: string | null
  scope_name: string
  projects: number
  stage_counts: StageCounts
  transitions_in_month: Record<string, number>
  month_figures: { invest_done_yuan: string; topped_out_m2: string; topped_out_supporting_m2: string; completed_m2: string }
  ytd: {
    months: string
    published: boolean
    invest_done_yuan: string
    topped_out_m2: string
    topped_out_supporting_m2: string
    completed_m2: string
    invest_done_yi: string
    topped_out_wan_m2: string
    new_projects: number
    newly_in_use: number
  }
  invest_vs_plan: { invest_plan_yuan: string; invest_cum_yuan: string; pct: string | null }
  yoy: { month: string; invest_growth_pct: string | null; topped_out_growth_pct: string | null; ytd_invest_done_yuan: string; ytd_topped_out_m2: string }
  targets: TargetRow[]
  regions: {
    region_code: string
    name: string
    projects: number
    stage_counts: StageCounts
    building_to_in_use: number
    ytd_invest_done_yuan: string
    ytd_topped_out_m2: string
  }[]
  bulletin: string
}

/** The scope of a statistic: the whole city, a region or a park. */
export interface ScopeQuery {
  month: string
  scope?: 'city' | 'region' | 'park'
  id?: string
  rollup?: boolean
  pilot?: boolean
  portfolio?: 'city' | 'all'
}

function scopeQuery(s: ScopeQuery): Query {
  return {
    month: s.month,
    scope: s.scope && s.scope !== 'city' ? s.scope : undefined,
    id: s.scope && s.scope !== 'city' ? s.id : undefined,
    rollup: s.rollup ? 1 : undefined,
    pilot: s.pilot ? 1 : undefined,
    portfolio: s.portfolio && s.portfolio !== 'city' ? s.portfolio : undefined,
  }
}

const p = (id: string | number) => `/projects/${encodeURIComponent(String(id))}`

export const projectsApi = {
  transitions: async (id: string | number) =>
    (await api.get<{ items: Transition[]; stage: Stage | null }>(`${p(id)}/transitions`)).data,
  addTransition: async (id: string | number, body: TransitionBody) =>
    (await api.post<Transition>(`${p(id)}/transitions`, body)).data,
  reports: async (id: string | number) => (await api.get<{ items: Report[] }>(`${p(id)}/reports`)).data.items || [],
  report: async (id: string | number, month: string) => (await api.get<Report>(`${p(id)}/reports/${month}`)).data,
  putReport: async (id: string | number, month: string, body: Record<string, unknown>) =>
    (await request<Report>('PUT', `${p(id)}/reports/${month}`, { body })).data,
  confirm: async (id: string | number, month: string) =>
    (await api.post<Report>(`${p(id)}/reports/${month}/confirm`)).data,
  dashboard: async (s: ScopeQuery & { stall_months?: number }) =>
    (await api.get<Dashboard>('/dashboard', { query: { ...scopeQuery(s), stall_months: s.stall_months } })).data,
  monthly: async (s: ScopeQuery) => (await api.get<Monthly>('/reports/monthly', { query: scopeQuery(s) })).data,
  late: async (s: ScopeQuery) => (await api.get<LateList>('/reports/late', { query: scopeQuery(s) })).data,
  calendar: async (year: number) =>
    (await api.get<{ year: number; due_day: number; jan_feb_combined: boolean; months: { month: string; due_date: string }[] }>(
      '/reports/calendar',
      { query: { year } },
    )).data,
}

/** Downloads the monthly report as a file (xlsx or csv) under the server's file name. */
export async function downloadMonthly(s: ScopeQuery, format: 'xlsx' | 'csv'): Promise<string> {
  const res = await rawRequest('GET', '/reports/monthly', {
    query: { ...scopeQuery(s), format },
    headers: { Accept: '*/*' },
  })
  const blob = await res.blob()
  const name = dispositionFilename(res.headers.get('Content-Disposition'), `report-${s.month}.${format}`)
  const url = URL.createObjectURL(blob)
  try {
    const a = document.createElement('a')
    a.href = url
    a.download = name
    a.rel = 'noopener'
    document.body.appendChild(a)
    a.click()
    a.remove()
  } finally {
    setTimeout(() => URL.revokeObjectURL(url), 30_000)
  }
  return name
}
