// Talent apartments (docs/api.md "Talent apartments"): the applicant's and the desk's calls.
// Door codes are never stored: the one answer of POST /bookings/{id}/door-code is handed to
// the page and kept in memory only (see doorCode.ts).
import { api, request } from '@/shell/api/client'

export type Category = 'graduate' | 'technician_grad' | 'skill_cert' | 'pro_title'
export const CATEGORIES: Category[] = ['graduate', 'technician_grad', 'skill_cert', 'pro_title']
export type Purpose = 'job_seeking' | 'startup'
export const PURPOSES: Purpose[] = ['job_seeking', 'startup']

export interface AptSettings {
  agreement_version: string
  check_in_time: string
  check_out_time: string
  max_nights: number | string
  nights_period_days: number | string
  min_workdays_ahead: number | string
  purge_after_days?: number | string
  /** the current residence agreement's text (server-side, versioned); null if none stored */
  agreement?: AgreementText | null
  [k: string]: unknown
}

export interface AgreementText {
  version: string
  text_zh: string
  text_en: string
}

export interface Application {
  id: number
  account_id: number
  apartment_id: number
  region_code: string
  name: string | null
  id_number: string | null
  gender: string | null
  phone: string | null
  category: Category
  cert_numbers: string | null
  purpose: Purpose
  intended_check_in: string | null
  intended_check_out: string | null
  status: 'pending' | 'approved' | 'rejected' | 'withdrawn'
  review_reason: string | null
  reviewed_at: string | null
  created_at: string
  updated_at?: string
  purged?: boolean
  version?: number
}

export type BookingStatus = 'booked' | 'checked_in' | 'checked_out' | 'cancelled' | 'no_show'

export interface Booking {
  id: number
  application_id: number
  account_id: number
  bed_id: number
  room_id: number
  apartment_id: number
  region_code: string
  check_in: string
  check_out: string
  nights: number
  status: BookingStatus
  agreement_version: string | null
  agreement_accepted_at: string | null
  checked_in_at: string | null
  checked_out_at: string | null
  door_code_issued: boolean
  door_code_shown_at: string | null
  door_code_revoked_at: string | null
  created_at: string
  version?: number
  name: string | null
  id_number: string | null
  room_number: string | null
  bed_label: string | null
}

export interface OfflineWindow {
  until: string
  seconds: number
  note_zh: string
  note_en: string
}

export interface CheckOutAnswer extends Booking {
  early: boolean
  offline_window: OfflineWindow | null
}

export interface DoorCode {
  booking_id: number
  code: string
  valid_from: string
  valid_until: string
  room_number: string
  bed_label: string
  shown_once: boolean
}

export type NightState = 'free' | 'booked' | 'occupied' | 'out_of_service'

export interface Board {
  apartment_id: number
  from: string
  days: string[]
  beds: {
    bed_id: number
    label: string
    room_id: number
    room_number: string
    gender_rule: string
    nights: NightState[]
    bookings?: (number | null)[]
  }[]
}

export interface Stats {
  from: string
  to: string
  occupied_beds_per_night: { night: string; beds: number }[]
  applications: { category: string; status: string; count: number }[]
  finished_stays: number
  nights_slept: number
  average_stay_nights: string | null
}

export interface Certificate {
  id: number
  application_id?: number
  filename: string
  content_type: string
  size: number
  sha256: string
  purged?: boolean
}

export interface CalendarYear {
  year: number
  published: boolean
  source: string | null
  updated_at: string | null
  entries: { date: string; kind: 'holiday' | 'workday'; name: string }[]
  workdays: number
  fallback?: string
}

export interface DirectoryEntry {
  id: number
  name: string
  address: string | null
  desk_phone: string | null
  status: string
  region_code: string
  beds_available: number
  beds_free_tonight: number
}

const A = '/apartment'
const id = (x: number | string) => encodeURIComponent(String(x))

export const aptApi = {
  register: (body: { username: string; password: string; phone: string }) =>
    api.post<{ id: number; role: string }>(`${A}/register`, body, { silent: true }).then((r) => r.data),
  directory: () =>
    api.get<{ items: DirectoryEntry[]; total: number; date: string }>(`${A}/directory`).then((r) => r.data),
  settings: () => api.get<AptSettings>(`${A}/settings`).then((r) => r.data),
  mine: () => api.get<{ applications: Application[]; bookings: Booking[] }>(`${A}/me`).then((r) => r.data),
  apply: (body: Record<string, unknown>) => api.post<Application>(`${A}/applications`, body).then((r) => r.data),
  uploadCertificate: (appId: number, filename: string, data: string) =>
    api.post<Certificate>(`${A}/applications/${id(appId)}/certificates`, { filename, data }).then((r) => r.data),
  certificates: (appId: number) =>
    api.get<{ items: Certificate[]; total: number }>(`${A}/applications/${id(appId)}/certificates`).then((r) => r.data),
  applications: (status?: string) =>
    api.get<{ items: Application[]; total?: number }>(`${A}/applications`, { query: { status } }).then((r) => r.data),
  withdraw: (appId: number) => api.post<Application>(`${A}/applications/${id(appId)}/withdraw`).then((r) => r.data),
  review: (appId: number, decision: 'approve' | 'reject', reason: string) =>
    api.post<Application>(`${A}/applications/${id(appId)}/review`, { decision, reason }).then((r) => r.data),
  unmask: (appId: number, field: 'id_number' | 'phone', reason: string) =>
    api
      .post<{ id: number; field: string; value: string }>(`${A}/applications/${id(appId)}/unmask`, { field, reason })
      .then((r) => r.data),
  book: (body: { bed_id: number; check_in: string; check_out: string }) =>
    api.post<Booking>(`${A}/bookings`, body).then((r) => r.data),
  bookings: (q: { date?: string; status?: string }) =>
    api.get<{ items: Booking[]; total?: number }>(`${A}/bookings`, { query: q }).then((r) => r.data),
  arrivals: (date?: string) =>
    api.get<{ items: Booking[]; total?: number; date?: string; today?: string }>(`${A}/arrivals`, { query: { date } }).then((r) => r.data),
  booking: (bid: number) => api.get<Booking>(`${A}/bookings/${id(bid)}`).then((r) => r.data),
  cancel: (bid: number) => api.post<Booking>(`${A}/bookings/${id(bid)}/cancel`).then((r) => r.data),
  checkIn: (bid: number, idNumber: string, agreementVersion: string) =>
    api
      .post<Booking>(`${A}/bookings/${id(bid)}/check-in`, { id_number: idNumber, agreement_version: agreementVersion })
      .then((r) => r.data),
  checkOut: (bid: number) => api.post<CheckOutAnswer>(`${A}/bookings/${id(bid)}/check-out`).then((r) => r.data),
  doorCode: (bid: number) => api.post<DoorCode>(`${A}/bookings/${id(bid)}/door-code`).then((r) => r.data),
  board: (apartmentId: number, from: string, days: number) =>
    api.get<Board>(`${A}/board`, { query: { apartment_id: apartmentId, from, days } }).then((r) => r.data),
  stats: (from?: string, to?: string) => api.get<Stats>(`${A}/stats`, { query: { from, to } }).then((r) => r.data),
  noShows: () => api.post<{ released: number }>(`${A}/no-shows`).then((r) => r.data),
}

export const calendarApi = {
  year: (y: number) => api.get<CalendarYear>(`/calendar/${y}`).then((r) => r.data),
  put: (y: number, body: { source: string; entries: CalendarYear['entries'] }) =>
    request<CalendarYear>('PUT', `/calendar/${y}`, { body }).then((r) => r.data),
  workdayAfter: (date: string, n: number) =>
    api
      .get<{ date: string; n: number; published: boolean }>('/calendar/workday-after', { query: { date, n } })
      .then((r) => r.data),
}
