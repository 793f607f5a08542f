import { describe, expect, it } from 'vitest'
import { bandsBarOption, mapLimit, ratesBarOption, sumBands } from './spaceCharts'

describe('rates charts', () => {
  it('draws absorption and occupancy per row and leaves out rows with nothing marketable', () => {
    const o = ratesBarOption(
      [
        { name: '晋江市', absorption: 95.19, occupancy: 80 },
        { name: '南安市', absorption: null, occupancy: null },
        { name: '惠安县', absorption: 50, occupancy: 0 },
      ],
      { absorption: '去化率', occupancy: '入驻率' },
    ) as { xAxis: { data: string[] }; series: { name: string; data: (number | null)[] }[] }
    expect(o.xAxis.data).toEqual(['晋江市', '惠安县'])
    expect(o.series.map((s) => s.name)).toEqual(['去化率', '入驻率'])
    expect(o.series[0].data).toEqual([95.19, 50])
    expect(o.series[1].data).toEqual([80, 0])
  })
  it('puts the categories on the y axis when horizontal', () => {
    const o = ratesBarOption([{ name: 'A园', absorption: 1, occupancy: 2 }], { absorption: 'a', occupancy: 'o' }, true) as {
      yAxis: { type: string; data: string[] }
      xAxis: { type: string }
    }
    expect(o.yAxis.type).toBe('category')
    expect(o.yAxis.data).toEqual(['A园'])
    expect(o.xAxis.type).toBe('value')
  })
  it('adds band areas exactly and keeps the band order', () => {
    const s = sumBands([
      [
        { band: 'unknown', vacant_m2: '0.10' },
        { band: 'lt_5', vacant_m2: '1000.5' },
      ],
      [
        { band: 'unknown', vacant_m2: '0.20' },
        { band: 'lt_5', vacant_m2: '0.01' },
      ],
      undefined,
    ])
    expect(s).toEqual([
      { band: 'unknown', vacant_m2: '0.30' },
      { band: 'lt_5', vacant_m2: '1000.51' },
    ])
  })
  it('draws one bar per band with its label', () => {
    const o = bandsBarOption([{ band: 'ge_12', vacant_m2: '2000.00' }], (b) => `≥12 (${b})`, '空置') as {
      xAxis: { data: string[] }
      series: { data: number[] }[]
    }
    expect(o.xAxis.data).toEqual(['≥12 (ge_12)'])
    expect(o.series[0].data).toEqual([2000])
  })
  it('maps with a concurrency limit, keeping the order', async () => {
    let running = 0
    let peak = 0
    const r = await mapLimit([1, 2, 3, 4, 5], 2, async (x) => {
      running++
      peak = Math.max(peak, running)
      await new Promise((res) => setTimeout(res, 5))
      running--
      return x * 10
    })
    expect(r).toEqual([10, 20, 30, 40, 50])
    expect(peak).toBe(2)
  })
})
