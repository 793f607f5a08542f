import { describe, expect, it } from 'vitest'
import { ApiError } from '@/shell/api/client'
import type { Board } from './api'
import {
  addDays,
  boardRooms,
  boardTotals,
  cstText,
  currentBooking,
  doorCodeState,
  earliestFromError,
  freeBeds,
  idNumberShape,
  nightsBetween,
  shiftStay,
  sortEntries,
  todayCST,
} from './logic'

const tooEarly = new ApiError(
  422,
  {
    status: 422,
    detail: '请检查标出的字段',
    errors: [
      { field: 'check_in', code: 'too_early', message: '需提前3个工作日预约，最早可入住日期为 2026-02-24', earliest: '2026-02-24' } as never,
    ],
  },
  null,
  null,
)

describe('booking dates', () => {
  it('finds the earliest allowed date of a too-early refusal', () => {
    expect(earliestFromError(tooEarly)).toBe('2026-02-24')
    expect(earliestFromError(new ApiError(409, { errors: [{ field: 'bed_id', code: 'bed_taken', message: 'x' }] }, null, null))).toBeNull()
    expect(earliestFromError(new Error('x'))).toBeNull()
  })
  it('moves a stay to the earliest date keeping its nights', () => {
    expect(shiftStay('2026-02-13', '2026-02-16', '2026-02-24')).toEqual({ check_in: '2026-02-24', check_out: '2026-02-27' })
    expect(shiftStay('2026-02-13', '', '2026-02-24')).toEqual({ check_in: '2026-02-24', check_out: '2026-02-25' })
  })
  it('counts nights and days across month ends and leap days', () => {
    expect(nightsBetween('2028-02-27', '2028-03-01')).toBe(3)
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28')
  })
  it('takes today in China Standard Time', () => {
    expect(todayCST(Date.parse('2026-11-21T16:30:00Z'))).toBe('2026-11-22')
    expect(todayCST(Date.parse('2026-11-21T15:59:59Z'))).toBe('2026-11-21')
  })
})

describe('resident ID number shape', () => {
  it('checks the shape only; the server checks the rest', () => {
    expect(idNumberShape('350582199001019997')).toBe(true)
    expect(idNumberShape('35050220000229998x')).toBe(true)
    expect(idNumberShape('35058219900101999')).toBe(false)
    expect(idNumberShape('350582199001019990')).toBe(true) // bad check character: the server says so
  })
})

const board: Board = {
  apartment_id: 1,
  from: '2026-03-01',
  days: ['2026-03-01', '2026-03-02', '2026-03-03'],
  beds: [
    { bed_id: 1, label: 'A', room_id: 10, room_number: '101', gender_rule: 'any', nights: ['free', 'free', 'booked'], bookings: [null, null, 7] },
    { bed_id: 2, label: 'B', room_id: 10, room_number: '101', gender_rule: 'any', nights: ['free', 'free', 'free'] },
    { bed_id: 3, label: '1', room_id: 11, room_number: '102', gender_rule: 'female', nights: ['occupied', 'out_of_service', 'free'] },
  ],
}

describe('availability grid', () => {
  it('groups beds by room with one cell per day', () => {
    const rooms = boardRooms(board)
    expect(rooms.map((r) => [r.room_number, r.beds.map((b) => b.label)])).toEqual([
      ['101', ['A', 'B']],
      ['102', ['1']],
    ])
    expect(rooms[0].beds[0].cells[2]).toEqual({ date: '2026-03-03', state: 'booked', booking: 7 })
    expect(rooms[0].beds[1].cells[2].booking).toBeNull()
  })
  it('offers only beds free on every night of the stay, inside the board', () => {
    expect(freeBeds(board, '2026-03-01', '2026-03-03').map((b) => b.bed_id)).toEqual([1, 2])
    expect(freeBeds(board, '2026-03-01', '2026-03-04').map((b) => b.bed_id)).toEqual([2])
    expect(freeBeds(board, '2026-03-03', '2026-03-05')).toEqual([])
    expect(freeBeds(board, '2026-03-02', '2026-03-02')).toEqual([])
  })
  it('totals free and taken beds per day, leaving out beds out of service', () => {
    expect(boardTotals(board)).toEqual([
      { date: '2026-03-01', free: 2, taken: 1 },
      { date: '2026-03-02', free: 2, taken: 0 },
      { date: '2026-03-03', free: 2, taken: 1 },
    ])
  })
})

describe('door code, shown once', () => {
  const b = { status: 'checked_in' as const, door_code_issued: true, door_code_shown_at: null, door_code_revoked_at: null }
  it('can be revealed only while issued, not yet shown and checked in', () => {
    expect(doorCodeState(b)).toBe('ready')
    expect(doorCodeState({ ...b, door_code_shown_at: '2026-02-25T07:00:00Z' })).toBe('shown')
    expect(doorCodeState({ ...b, door_code_revoked_at: '2026-02-26T07:00:00Z' })).toBe('revoked')
    expect(doorCodeState({ ...b, status: 'booked', door_code_issued: false })).toBe('none')
    expect(doorCodeState({ ...b, status: 'checked_out' })).toBe('none')
  })
  it('picks the active booking first', () => {
    const mk = (id: number, status: string) => ({ id, status }) as never
    expect(currentBooking([mk(3, 'cancelled'), mk(2, 'booked'), mk(1, 'checked_out')])?.id).toBe(2)
    expect(currentBooking([mk(3, 'cancelled'), mk(4, 'no_show')])?.id).toBe(4)
    expect(currentBooking([])).toBeNull()
  })
  it('shows validity times in CST', () => {
    expect(cstText('2026-02-25T14:00:00+08:00')).toBe('2026-02-25 14:00')
    expect(cstText('2026-02-25T06:00:00Z')).toBe('2026-02-25 14:00')
  })
})

describe('calendar entries', () => {
  it('sorts by date and keeps one entry a date', () => {
    expect(
      sortEntries([
        { date: '2027-02-03', kind: 'holiday' },
        { date: '2027-01-01', kind: 'holiday' },
        { date: '2027-02-03', kind: 'workday' },
      ]),
    ).toEqual([
      { date: '2027-01-01', kind: 'holiday' },
      { date: '2027-02-03', kind: 'workday' },
    ])
  })
})
