#!/usr/bin/env python3
"""Write N enterprise rows (valid GB 32100 codes, Chinese names) as CSV to stdout."""
import sys
CH = "0123456789ABCDEFGHJKLMNPQRTUWXY"
def check(body):
    s, w = 0, 1
    for ch in body:
        s += CH.index(ch) * w
        w = w * 3 % 31
    return CH[(31 - s % 31) % 31]
n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
regions = ["350582", "350583", "350502", "350521", "350581"]
out = sys.stdout
out.write("name,uscc,region_code,chain,above_scale\n")
for i in range(n):
    body = "91%sMA%07d" % (regions[i % 5], i)
    out.write("泉州测试企业%d有限公司,%s%s,%s,智能装备,%d\n" % (i, body, check(body), regions[i % 5], i % 7 == 0))
