#!/usr/bin/env python3
"""List the settlements (place=town/village/hamlet nodes) of an OSM .pbf extract as CSV:
kind,name,lon,lat.  Used once to make datasets/osm/andorra-places.csv, the village list
of the caravan scenario (`carevan scenario --villages`).

With --homes, list instead where people may live: buildings that can be homes (ways or
nodes tagged building=yes/house/residential/apartments/detached/...; churches, shops,
garages and the like are left out) at the mean of their nodes, and address points
(nodes with addr:housenumber and no other building), as kind,name,lon,lat with kind the
building value or "address" and name "way N"/"node N" (or the address when tagged).
Used once to make datasets/osm/andorra-homes.csv, the households of the caravan
scenario (`carevan scenario --homes`).

Pure Python (protobuf and zlib decoded by hand) so that it needs nothing beyond the
standard library.  Data: (c) OpenStreetMap contributors, ODbL 1.0."""
import struct
import sys
import zlib

KINDS = ("town", "village", "hamlet")
# building values that can be someone's home ("yes" is most of what mappers write)
HOME_BUILDINGS = ("yes", "house", "residential", "apartments", "detached", "semidetached_house",
                  "terrace", "bungalow", "farm", "cabin", "hut", "dormitory")


def varint(b, i):
    r = s = 0
    while True:
        c = b[i]
        i += 1
        r |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return r, i


def fields(b):
    """(field number, wire type, value) of a protobuf message; value is an int or bytes."""
    i, n = 0, len(b)
    while i < n:
        key, i = varint(b, i)
        f, w = key >> 3, key & 7
        if w == 0:
            v, i = varint(b, i)
        elif w == 2:
            ln, i = varint(b, i)
            v = b[i:i + ln]
            i += ln
        elif w == 1:
            v = b[i:i + 8]
            i += 8
        elif w == 5:
            v = b[i:i + 4]
            i += 4
        else:
            raise ValueError("unsupported wire type %d" % w)
        yield f, w, v


def packed(b):
    i, out = 0, []
    while i < len(b):
        v, i = varint(b, i)
        out.append(v)
    return out


def zigzag(v):
    return (v >> 1) ^ -(v & 1)


def block_elements(data):
    """The nodes and ways of one OSMData block: ("node", id, tags, lon, lat) and
    ("way", id, tags, node ids, None)."""
    strings, groups = [], []
    gran, lat_off, lon_off = 100, 0, 0
    for f, w, v in fields(data):
        if f == 1:
            strings = [s for ff, _, s in fields(v) if ff == 1]
        elif f == 2:
            groups.append(v)
        elif f == 17:
            gran = v
        elif f == 19:
            lat_off = zigzag(v)
        elif f == 20:
            lon_off = zigzag(v)

    def coord(off, v):
        return (off + gran * v) * 1e-9

    def tagdict(keys, vals):
        return {strings[a].decode(): strings[b].decode() for a, b in zip(keys, vals)}

    for g in groups:
        for f, w, v in fields(g):
            if f == 2:  # DenseNodes: delta-coded ids and coordinates, tags as k,v,...,0
                ids = lat = lon = kv = []
                for ff, _, vv in fields(v):
                    if ff == 1:
                        ids = [zigzag(x) for x in packed(vv)]
                    elif ff == 8:
                        lat = [zigzag(x) for x in packed(vv)]
                    elif ff == 9:
                        lon = [zigzag(x) for x in packed(vv)]
                    elif ff == 10:
                        kv = packed(vv)
                k = nid = la = lo = 0
                for idx in range(len(lat)):
                    nid += ids[idx] if ids else 0
                    la += lat[idx]
                    lo += lon[idx]
                    tags = {}
                    while k < len(kv) and kv[k] != 0:
                        tags[strings[kv[k]].decode()] = strings[kv[k + 1]].decode()
                        k += 2
                    k += 1
                    yield "node", nid, tags, coord(lon_off, lo), coord(lat_off, la)
            elif f == 1:  # plain Node
                keys, vals, nid, la, lo = [], [], 0, 0, 0
                for ff, _, vv in fields(v):
                    if ff == 1:
                        nid = zigzag(vv)
                    elif ff == 2:
                        keys = packed(vv)
                    elif ff == 3:
                        vals = packed(vv)
                    elif ff == 8:
                        la = zigzag(vv)
                    elif ff == 9:
                        lo = zigzag(vv)
                yield "node", nid, tagdict(keys, vals), coord(lon_off, lo), coord(lat_off, la)
            elif f == 3:  # Way: node ids delta-coded
                wid, keys, vals, refs = 0, [], [], []
                for ff, _, vv in fields(v):
                    if ff == 1:
                        wid = vv
                    elif ff == 2:
                        keys = packed(vv)
                    elif ff == 3:
                        vals = packed(vv)
                    elif ff == 8:
                        refs = [zigzag(x) for x in packed(vv)]
                nodes, r = [], 0
                for delta in refs:
                    r += delta
                    nodes.append(r)
                yield "way", wid, tagdict(keys, vals), nodes, None


def is_home(tags):
    return tags.get("building") in HOME_BUILDINGS or (
        "addr:housenumber" in tags and "building" not in tags and "amenity" not in tags
        and "shop" not in tags)


def home_row(kind, oid, tags, lon, lat):
    b = tags.get("building")
    name = " ".join(x for x in (tags.get("addr:street"), tags.get("addr:housenumber")) if x)
    return (b if b in HOME_BUILDINGS else "address", name or "%s %d" % (kind, oid), lon, lat)


def main(path, homes_mode):
    out, coords, ways = [], {}, []
    with open(path, "rb") as fh:
        while True:
            head = fh.read(4)
            if len(head) < 4:
                break
            (hlen,) = struct.unpack(">I", head)
            btype, dsize = None, 0
            for f, w, v in fields(fh.read(hlen)):
                if f == 1:
                    btype = v.decode()
                elif f == 3:
                    dsize = v
            blob = fh.read(dsize)
            data = b""
            for f, w, v in fields(blob):
                if f == 1:
                    data = v
                elif f == 3:
                    data = zlib.decompress(v)
            if btype != "OSMData":
                continue
            for kind, oid, tags, a, b in block_elements(data):
                if kind == "way":
                    if homes_mode and is_home(tags):
                        ways.append((oid, tags, a))
                elif homes_mode:
                    coords[oid] = (a, b)  # building ways need their nodes
                    if tags and is_home(tags):
                        out.append(home_row("node", oid, tags, a, b))
                elif tags.get("place") in KINDS and "name" in tags:
                    out.append((tags["place"], tags["name"], a, b))
    for wid, tags, nodes in ways:
        # a closed outline repeats its first node: count it once
        pts = [coords[n] for n in nodes[:-1 if len(nodes) > 1 and nodes[0] == nodes[-1] else None]
               if n in coords]
        if pts:
            out.append(home_row("way", wid, tags, sum(p[0] for p in pts) / len(pts),
                                sum(p[1] for p in pts) / len(pts)))
    print("kind,name,lon,lat")
    for kind, name, lon, lat in sorted(out, key=lambda r: (r[1], r[2])):
        print("%s,%s,%.6f,%.6f" % (kind, name.replace(",", " "), lon, lat))


if __name__ == "__main__":
    args = sys.argv[1:]
    homes = "--homes" in args
    args = [a for a in args if a != "--homes"]
    if len(args) != 1:
        sys.exit("usage: osm-places.py [--homes] FILE.osm.pbf > FILE.csv")
    main(args[0], homes)
