#!/usr/bin/env python3
"""Independent evaluation of carevan plans for Mankowska et al. (2014) instances.

Reads the ORIGINAL instance file (real-valued distances and times, not our x100
conversion) and a plan written by `care_mankowska --save DIR`, re-times every
route in real numbers (each service starts at the later of the plan's stated
start / 100 and the real arrival), checks the HHCRSP rules (each required
service once, by a qualified caregiver; double services by two caregivers,
simultaneous or within [mind, maxd], lower service index first; no start
before e_i) and prints Z = (D + T + Tmax) / 3 and the gap to bks.csv.

usage: care_mankowska_eval.py HHC_DIR PLAN_DIR
"""
import csv, json, os, sys

def read_instance(path):
    tok = open(path).read().split()
    pos = 0
    def kw(k):
        nonlocal pos
        assert tok[pos] == k, (path, k, tok[pos]); pos += 1
    def nums(n):
        nonlocal pos
        v = [float(x) for x in tok[pos:pos + n]]; pos += n; return v
    kw('nbNodes'); N = int(tok[pos]); pos += 1
    kw('nbVehi'); V = int(tok[pos]); pos += 1
    kw('nbServi'); S = int(tok[pos]); pos += 1
    kw('r'); r = nums(N * S)
    kw('DS'); ds = []
    while tok[pos] != 'a': ds.append(int(tok[pos]) - 1); pos += 1
    kw('a'); a = nums(V * S)
    kw('x'); nums(N); kw('y'); nums(N)
    kw('d'); d = nums(N * N)
    kw('p'); p = nums(N * V * S)
    kw('mind'); mind = nums(N); kw('maxd'); maxd = nums(N)
    kw('e'); e = nums(N); kw('l'); l = nums(N)
    return dict(N=N, V=V, S=S, r=r, ds=set(ds), a=a, d=d, p=p, mind=mind, maxd=maxd, e=e, l=l)

def evaluate(inst, plan):
    N, V, S = inst['N'], inst['V'], inst['S']
    d = lambda i, j: inst['d'][i * N + j]
    errors, start, who = [], {}, {}
    D = 0.0
    for route in plan['routes']:
        v = route['vehicle'] - 1
        t, prev = inst['e'][0], 0
        for st in route['steps']:
            if st['type'] != 'job':
                continue
            i, s = divmod(st['id'], 100)
            if inst['a'][v * S + s] != 1:
                errors.append(f'caregiver {v} not qualified for service {s} of patient {i}')
            arr = t + d(prev, i)
            D += d(prev, i)
            b = max(arr, (st['arrival'] + st.get('waiting_time', 0)) / 100.0)
            if b < inst['e'][i] - 1e-9:
                errors.append(f'patient {i} service {s} starts {b} before e={inst["e"][i]}')
            if (i, s) in start:
                errors.append(f'patient {i} service {s} served twice')
            start[(i, s)], who[(i, s)] = b, v
            t, prev = b + inst['p'][(i * V + v) * S + s], i
        D += d(prev, 0)
    T = Tmax = 0.0
    for i in range(1, N - 1):
        need = [s for s in range(S) if inst['r'][i * S + s] == 1]
        for s in need:
            if (i, s) not in start:
                errors.append(f'patient {i} service {s} not served')
                continue
            late = max(0.0, start[(i, s)] - inst['l'][i])
            T += late
            Tmax = max(Tmax, late)
        if len(need) == 2 and all((i, s) in start for s in need):
            s1, s2 = need
            if who[(i, s1)] == who[(i, s2)]:
                errors.append(f'patient {i}: one caregiver for both services')
            gap = start[(i, s2)] - start[(i, s1)]
            lo, hi = inst['mind'][i], inst['maxd'][i]
            if gap < lo - 0.05 or gap > hi + 0.05:
                errors.append(f'patient {i}: gap {gap:.3f} outside [{lo}, {hi}]')
    return D, T, Tmax, (D + T + Tmax) / 3.0, errors

def main():
    hhc, plans = sys.argv[1], sys.argv[2]
    bks = {row['instance']: float(row['distance_bks']) for row in csv.DictReader(open(os.path.join(hhc, 'bks.csv')))}
    groups = {}
    bad = 0
    print(f'{"instance":28} {"D":>9} {"T":>9} {"Tmax":>8} {"Z":>9} {"BKS":>9} {"gap%":>7}')
    for name in sorted(bks, key=lambda n: (int(n.split('_')[2]), int(n.split('_')[3]))):
        pf = os.path.join(plans, name + '.json')
        if not os.path.exists(pf):
            continue
        inst = read_instance(os.path.join(hhc, 'mankowska', name + '.txt'))
        D, T, Tmax, Z, errors = evaluate(inst, json.load(open(pf)))
        gap = 100 * (Z - bks[name]) / bks[name]
        g = 'ABCDEFG'[[10, 25, 50, 75, 100, 200, 300].index(inst['N'] - 2)]
        groups.setdefault(g, []).append(gap)
        print(f'{name:28} {D:9.2f} {T:9.2f} {Tmax:8.2f} {Z:9.2f} {bks[name]:9.2f} {gap:7.2f}' + ('  INVALID: ' + errors[0] if errors else ''))
        bad += bool(errors)
    print('\ngroup  n  mean_gap%  worst_gap%')
    for g, v in sorted(groups.items()):
        print(f'{g:5} {len(v):2} {sum(v) / len(v):10.2f} {max(v):11.2f}')
    print(f'invalid plans: {bad}')
    return 1 if bad else 0

if __name__ == '__main__':
    sys.exit(main())
