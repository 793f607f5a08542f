// The space-and-enterprises routes beside the generic resource ones (docs/api.md "Space and
// enterprises"). Areas and money stay decimal strings; rates and scores are JSON numbers.
import { api, ApiError } from '@/shell/api/client'
import type { ResourceRecord } from '@/shell/api/types'
import type { MatchItem } from './utils/space'

export type RateScope = 'city' | 'region' | 'park'

export interface Rates {
  scope: RateScope
  id: string | null
  date: string
  absorption_rate: number | null
  occupancy_rate: number | null
  marketable_m2: string
  signed_m2: string
  leasable_m2: string
  occupied_m2: string
  vacant_m2?: string
  vacant_by_floor_load?: { band: string; vacant_m2: string }[]
  vacant_by_clear_height?: { band: string; vacant_m2: string }[]
  vacant_by_power?: { band: string; vacant_m2: string }[]
}

export async function getRates(scope: RateScope, id?: string | number | null, date?: string | null): Promise<Rates> {
  const r = await api.get<Rates>('/rates', { query: { scope, id: scope === 'city' ? undefined : id ?? undefined, date: date || undefined } })
  return r.data
}

export interface Ratio {
  park_id: number | string
  production_m2: string
  living_m2: string
  production_share: number | null
  target_share: number
  target: string
  meets_target: boolean
}

export async function getRatio(parkId: string | number): Promise<Ratio> {
  return (await api.get<Ratio>(`/parks/${encodeURIComponent(String(parkId))}/ratio`)).data
}

export const STAGES = ['signed', 'moved_in', 'producing', 'at_capacity', 'in_statistics', 'left', 'delisted'] as const
export type Stage = (typeof STAGES)[number]

export interface TimelineEvent {
  stage: Stage
  label?: string
  from_stage?: Stage | null
  date: string
  note?: string | null
  recorded_at?: string
}
export interface TimelineLease {
  id: number | string
  kind: string
  unit_ids: string
  signed_on: string
  moved_in_on?: string | null
  ended_on?: string | null
  status: string
}
export interface Timeline {
  enterprise_id?: number | string
  items: TimelineEvent[]
  leases: TimelineLease[]
}

export async function getTimeline(enterpriseId: string | number): Promise<Timeline> {
  return (await api.get<Timeline>(`/enterprises/${encodeURIComponent(String(enterpriseId))}/timeline`)).data
}

export async function addEvent(enterpriseId: string | number, body: { stage: string; date: string; note?: string }): Promise<ResourceRecord> {
  return (await api.post<ResourceRecord>(`/enterprises/${encodeURIComponent(String(enterpriseId))}/events`, body)).data
}

export async function unmaskPhone(enterpriseId: string | number, reason: string): Promise<string> {
  const r = await api.post<{ contact_phone: string }>(`/enterprises/${encodeURIComponent(String(enterpriseId))}/unmask`, { reason })
  return r.data.contact_phone
}

export interface LeaseBody {
  enterprise_id: number | string
  unit_ids: string
  kind: 'lease' | 'sale'
  signed_on: string
  start_on?: string
  end_on?: string
  rent_fen?: string
  price_fen?: string
  rent_free_months?: number
  subsidy_ref?: string
}

export async function createLease(body: LeaseBody): Promise<ResourceRecord> {
  return (await api.post<ResourceRecord>('/leases', body)).data
}

export async function leaseAction(id: string | number, action: 'move_in' | 'end', date: string): Promise<ResourceRecord> {
  return (await api.post<ResourceRecord>(`/leases/${encodeURIComponent(String(id))}/${action}`, { date })).data
}

export async function getMatches(demandId: string | number, limit = 10): Promise<{ demand_id?: number | string; items: MatchItem[] }> {
  return (await api.get<{ demand_id?: number | string; items: MatchItem[] }>(`/demands/${encodeURIComponent(String(demandId))}/matches`, { query: { limit } })).data
}

export const IMPORT_KINDS = ['enterprises', 'units', 'leases', 'spaces'] as const
export type ImportKind = (typeof IMPORT_KINDS)[number]

export interface ImportRowError {
  row: number
  line?: number
  field?: string | null
  code?: string
  message?: string
}
export interface ImportReport {
  kind?: string
  committed: boolean
  encoding?: string
  rows: number
  inserted: number
  updated: number
  rejected: number
  errors: ImportRowError[]
}

/** POST /imports/{kind}: the file as the raw body. A 422 with `committed:false` is a report,
 *  not a failure: it comes back like a 200 one. */
export async function importFile(kind: ImportKind, file: Blob, validOnly: boolean): Promise<ImportReport> {
  try {
    const r = await api.post<ImportReport>(`/imports/${kind}`, undefined, {
      rawBody: file,
      contentType: /\.xlsx$/i.test((file as File).name || '') ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv',
      query: { valid_only: validOnly ? 1 : undefined },
    })
    return r.data
  } catch (e) {
    if (e instanceof ApiError && e.status === 422 && typeof e.problem.committed === 'boolean' && Array.isArray(e.problem.errors)) {
      const p = e.problem as unknown as Partial<ImportReport>
      return {
        kind: p.kind,
        committed: !!p.committed,
        encoding: p.encoding,
        rows: p.rows ?? 0,
        inserted: p.inserted ?? 0,
        updated: p.updated ?? 0,
        rejected: p.rejected ?? 0,
        errors: (p.errors || []) as ImportRowError[],
      }
    }
    throw e
  }
}

/** A staff step on a demand's matches (docs/api.md "Staff steps on a demand's matches"). */
export interface DemandStep {
  id: number | string
  demand_id?: number | string
  space_id: number | string
  kind: 'shortlist' | 'visit' | 'lease'
  visit_on: string | null
  note: string | null
  lease_id: number | string | null
  created_at: string
  demand_status?: string
}

const demandPath = (id: string | number, step: string) => `/demands/${encodeURIComponent(String(id))}/${step}`

export async function getDemandSteps(demandId: string | number): Promise<DemandStep[]> {
  return (await api.get<{ items: DemandStep[] }>(demandPath(demandId, 'steps'))).data.items || []
}

export async function shortlistSpace(demandId: string | number, spaceId: string | number, note?: string): Promise<DemandStep> {
  return (await api.post<DemandStep>(demandPath(demandId, 'shortlist'), { space_id: Number(spaceId), note: note || undefined })).data
}

export async function visitSpace(demandId: string | number, spaceId: string | number, date: string, note?: string): Promise<DemandStep> {
  return (await api.post<DemandStep>(demandPath(demandId, 'visits'), { space_id: Number(spaceId), date, note: note || undefined })).data
}

export type DemandLeaseBody = Omit<LeaseBody, 'unit_ids' | 'enterprise_id'> & {
  space_id: number | string
  enterprise_id?: number | string
  note?: string
}

/** Turns a match (a vacant park unit's library entry) into a lease. */
export async function leaseFromDemand(demandId: string | number, body: DemandLeaseBody): Promise<ResourceRecord> {
  return (await api.post<ResourceRecord>(demandPath(demandId, 'lease'), body)).data
}

/** A photo or document of a space in the library. */
export interface SpaceFile {
  id: number | string
  space_id: number | string
  name: string
  content_type: string
  size_bytes: number
  sha256: string
  url: string
  created_at: string
}

const filesPath = (spaceId: string | number) => `/spaces/${encodeURIComponent(String(spaceId))}/files`

export async function listSpaceFiles(spaceId: string | number): Promise<SpaceFile[]> {
  return (await api.get<{ items: SpaceFile[] }>(filesPath(spaceId))).data.items || []
}

/** The file goes as the raw body; the server decides its type from the first bytes. */
export async function uploadSpaceFile(spaceId: string | number, file: File): Promise<SpaceFile> {
  const r = await api.post<SpaceFile>(filesPath(spaceId), undefined, {
    rawBody: file,
    contentType: file.type || 'application/octet-stream',
    query: { name: file.name },
  })
  return r.data
}

/** Where a stored file downloads from (same origin, the session cookie goes along). */
export function spaceFileHref(spaceId: string | number, fileId: string | number): string {
  return `/api/v1${filesPath(spaceId)}/${encodeURIComponent(String(fileId))}`
}
