// Pure helpers of the apartment pages (tested in logic.test.ts): dates in China Standard Time,
// the earliest-date refusal, the availability grid, the door code's display state.
import { ApiError } from '@/shell/api/client'
import type { Board, Booking, NightState } from './api'

/** Today's date (YYYY-MM-DD) in China Standard Time. */
export function todayCST(now: number = Date.now()): string {
  return new Date(now + 8 * 3600_000).toISOString().slice(0, 10)
}

export function addDays(date: string, n: number): string {
  const t = Date.parse(`${date}T00:00:00Z`) + n * 86_400_000
  return new Date(t).toISOString().slice(0, 10)
}

/** Nights between two dates (check-out − check-in); NaN for bad input. */
export function nightsBetween(checkIn: string, checkOut: string): number {
  const a = Date.parse(`${checkIn}T00:00:00Z`)
  const b = Date.parse(`${checkOut}T00:00:00Z`)
  return Math.round((b - a) / 86_400_000)
}

/** The earliest allowed check-in of a refusal by the working-day rule (errors[0].earliest),
 *  or null when the error is something else. */
export function earliestFromError(e: unknown): string | null {
  if (!(e instanceof ApiError)) return null
  for (const x of e.problem.errors || []) {
    const earliest = (x as { earliest?: unknown }).earliest
    if (x.field === 'check_in' && typeof earliest === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(earliest)) return earliest
  }
  return null
}

/** Moves a stay to start on `earliest`, keeping its length (at least one night). */
export function shiftStay(checkIn: string, checkOut: string, earliest: string): { check_in: string; check_out: string } {
  const n = nightsBetween(checkIn, checkOut)
  return { check_in: earliest, check_out: addDays(earliest, Number.isFinite(n) && n > 0 ? n : 1) }
}

/** A light check of a resident ID number's shape (18 characters, last may be X); the server
 *  checks the check character and the birth date and its message is what the user sees. */
export function idNumberShape(s: string): boolean {
  return /^\d{17}[\dXx]$/.test(s.trim())
}

export function normalizeIdNumber(s: string): string {
  return s.trim().toUpperCase()
}

export function phoneShape(s: string): boolean {
  return /^1\d{10}$/.test(s.trim())
}

export interface BoardRoom {
  room_id: number
  room_number: string
  gender_rule: string
  beds: { bed_id: number; label: string; cells: { date: string; state: NightState; booking: number | null }[] }[]
}

/** The board's beds grouped by room (rooms in the order they first appear), one cell per day. */
export function boardRooms(board: Board): BoardRoom[] {
  const rooms = new Map<number, BoardRoom>()
  for (const b of board.beds) {
    let r = rooms.get(b.room_id)
    if (!r) {
      r = { room_id: b.room_id, room_number: b.room_number, gender_rule: b.gender_rule, beds: [] }
      rooms.set(b.room_id, r)
    }
    r.beds.push({
      bed_id: b.bed_id,
      label: b.label,
      cells: board.days.map((date, i) => ({ date, state: b.nights[i] ?? 'free', booking: b.bookings?.[i] ?? null })),
    })
  }
  return [...rooms.values()]
}

/** Free beds for every night of [checkIn, checkOut) within the board (nights outside it count
 *  as unknown, so such a bed is not offered). */
export function freeBeds(board: Board, checkIn: string, checkOut: string): Board['beds'] {
  const first = board.days.indexOf(checkIn)
  const n = nightsBetween(checkIn, checkOut)
  if (first < 0 || !(n > 0) || first + n > board.days.length) return []
  return board.beds.filter((b) => b.nights.slice(first, first + n).every((s) => s === 'free'))
}

/** Per-day totals of the board: free and taken beds. */
export function boardTotals(board: Board): { date: string; free: number; taken: number }[] {
  return board.days.map((date, i) => {
    let free = 0
    let taken = 0
    for (const b of board.beds) {
      if (b.nights[i] === 'free') free++
      else if (b.nights[i] !== 'out_of_service') taken++
    }
    return { date, free, taken }
  })
}

export type DoorCodeState = 'none' | 'ready' | 'shown' | 'revoked'

/** What the applicant's page may do about the door code of a booking. */
export function doorCodeState(b: Pick<Booking, 'status' | 'door_code_issued' | 'door_code_shown_at' | 'door_code_revoked_at'>): DoorCodeState {
  if (b.door_code_revoked_at) return 'revoked'
  if (!b.door_code_issued) return 'none'
  if (b.door_code_shown_at) return 'shown'
  return b.status === 'checked_in' ? 'ready' : 'none'
}

/** The applicant's current booking: the active one, else the latest. */
export function currentBooking(list: Booking[]): Booking | null {
  const active = list.filter((b) => b.status === 'booked' || b.status === 'checked_in')
  const pool = active.length ? active : list
  return [...pool].sort((a, b) => b.id - a.id)[0] || null
}

/** Formats a CST instant string ("2026-02-25T14:00:00+08:00") as "2026-02-25 14:00". */
export function cstText(s: string | null | undefined): string {
  if (!s) return ''
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(s)
  if (m && /\+08:?00$/.test(s)) return `${m[1]} ${m[2]}`
  const t = Date.parse(s)
  if (Number.isNaN(t)) return s
  const d = new Date(t + 8 * 3600_000).toISOString()
  return `${d.slice(0, 10)} ${d.slice(11, 16)}`
}

/** Reads a File as base64 (no data: prefix) for the certificate upload. */
export function fileToBase64(f: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader()
    r.onload = () => {
      const s = String(r.result || '')
      resolve(s.slice(s.indexOf(',') + 1))
    }
    r.onerror = () => reject(r.error)
    r.readAsDataURL(f)
  })
}

/** Calendar editor: entries sorted by date; duplicates keep the last. */
export function sortEntries<T extends { date: string }>(entries: T[]): T[] {
  const m = new Map<string, T>()
  for (const e of entries) m.set(e.date, e)
  return [...m.values()].sort((a, b) => a.date.localeCompare(b.date))
}
