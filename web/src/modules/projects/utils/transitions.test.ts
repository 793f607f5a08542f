import { describe, expect, it } from 'vitest'
import { needsReason, nextStage } from './transitions'

describe('transition reasons', () => {
  it('ordinary steps need none', () => {
    expect(needsReason(null, 'planned')).toBe(false)
    expect(needsReason('planned', 'started')).toBe(false)
    expect(needsReason('building', 'partly_in_use')).toBe(false)
    expect(needsReason('building', 'in_use')).toBe(false)
    expect(needsReason('partly_in_use', 'in_use')).toBe(false)
  })
  it('skipping or going back needs one', () => {
    expect(needsReason(null, 'building')).toBe(true)
    expect(needsReason('planned', 'building')).toBe(true)
    expect(needsReason('in_use', 'building')).toBe(true)
    expect(needsReason('started', 'started')).toBe(true)
  })
  it('suggests the next stage', () => {
    expect(nextStage(null)).toBe('planned')
    expect(nextStage('building')).toBe('partly_in_use')
    expect(nextStage('in_use')).toBeNull()
  })
})
