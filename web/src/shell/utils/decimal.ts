// Money, areas and coordinates travel as exact decimal strings (docs/api.md). The UI never
// turns them into JS numbers: it normalises what a person typed, groups digits for display,
// and does its little arithmetic (m² → 亩 preview) on BigInt.

const FULLWIDTH = /[\uFF10-\uFF19\uFF0E\uFF0C\uFF0D\u3002]/g

/** What a person typed → the string to send. Full-width digits (Chinese IME) become ASCII,
 *  blanks and thousands separators go. Nothing else is changed: "12.345" stays "12.345" so
 *  that the server, the authority, can say what is wrong with it. */
export function normalizeDecimalInput(input: string | number | null | undefined): string {
  if (input === null || input === undefined) return ''
  let s = String(input)
  s = s.replace(FULLWIDTH, (c) => {
    const code = c.charCodeAt(0)
    if (code >= 0xff10 && code <= 0xff19) return String.fromCharCode(code - 0xff10 + 48)
    if (c === '\uFF0E' || c === '\u3002') return '.'
    if (c === '\uFF0D') return '-'
    return ',' // \uFF0C full-width comma
  })
  s = s.replace(/[\s\u00A0\u3000]/g, '')
  // a comma followed by exactly three digits is a thousands separator
  if (/^-?\d{1,3}(,\d{3})+(\.\d*)?$/.test(s)) s = s.replace(/,/g, '')
  return s
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/

export function isDecimalString(s: string, maxScale?: number): boolean {
  const m = DECIMAL.exec(s)
  if (!m) return false
  return maxScale === undefined || (m[3] || '').length <= maxScale
}

/** "1315200.50" → "1,315,200.50" (zh-CN and en both group by thousands). Not a decimal → as is. */
export function groupDecimal(s: string | number | null | undefined): string {
  if (s === null || s === undefined) return ''
  const str = String(s)
  const m = DECIMAL.exec(str)
  if (!m) return str
  const int = m[2].replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${m[1]}${int}${m[3] !== undefined ? `.${m[3]}` : ''}`
}

/** Exact decimal string → scaled BigInt (value × 10^scale), rounding half away from zero. */
export function toScaled(s: string, scale: number): bigint | null {
  const m = DECIMAL.exec(s)
  if (!m) return null
  const frac = m[3] || ''
  let v = BigInt(m[2] + frac.slice(0, scale).padEnd(scale, '0'))
  if (frac.length > scale && frac.charCodeAt(scale) >= 53 /* '5' */) v += 1n
  return m[1] === '-' ? -v : v
}

/** Scaled BigInt → decimal string with exactly `scale` decimals. */
export function fromScaled(v: bigint, scale: number): string {
  const neg = v < 0n
  let s = (neg ? -v : v).toString().padStart(scale + 1, '0')
  if (scale > 0) s = `${s.slice(0, -scale)}.${s.slice(-scale)}`
  return neg && /[1-9]/.test(s) ? `-${s}` : s
}

/** Divides with rounding half away from zero. */
function divRound(n: bigint, d: bigint): bigint {
  const neg = n < 0n !== d < 0n
  const an = n < 0n ? -n : n
  const ad = d < 0n ? -d : d
  const q = (an * 2n + ad) / (2n * ad)
  return neg ? -q : q
}

/** m² → 亩 with 2 decimals (1 亩 = 2000/3 m²), exact. Display only; the server stores m². */
export function m2ToMu(m2: string): string | null {
  const v = toScaled(m2, 6) // m² × 10^6, keeps every typed digit up to 6 places
  if (v === null) return null
  // mu×100 = m2 × 3 / 2000 × 100 = m2×10^6 × 3 / (2000 × 10^4)
  return fromScaled(divRound(v * 3n, 20_000_000n), 2)
}
