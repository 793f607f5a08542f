// The transition rule the form hints at (the server decides, docs/projects.md "Stages"):
// ordinary steps need no reason — none → planned, each next stage, and building → in_use.
import { STAGES, type Stage } from '@/modules/projects/api'

export function needsReason(from: Stage | null | undefined, to: Stage | string | null | undefined): boolean {
  if (!to) return false
  const t = STAGES.indexOf(to as Stage)
  if (t < 0) return false
  if (!from) return t !== 0
  const f = STAGES.indexOf(from)
  if (t === f + 1) return false
  if (from === 'building' && to === 'in_use') return false
  return true
}

/** The stage one would normally record next. */
export function nextStage(from: Stage | null | undefined): Stage | null {
  if (!from) return 'planned'
  const f = STAGES.indexOf(from)
  return f >= 0 && f < STAGES.length - 1 ? STAGES[f + 1] : null
}
