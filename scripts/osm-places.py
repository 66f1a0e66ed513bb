#!/usr/bin/env python3
"""List the settlements (place=town/village/hamlet nodes) of an OSM .pbf extract as CSV:
kind,name,lon,lat.  Used once to make datasets/osm/andorra-places.csv, the village list
of the caravan scenario (`carevan scenario --villages`).  Pure Python (protobuf and zlib
decoded by hand) so that it needs nothing beyond the standard library.
Data: (c) OpenStreetMap contributors, ODbL 1.0."""
import struct
import sys
import zlib

KINDS = ("town", "village", "hamlet")


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


def block_places(data, out):
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

    for g in groups:
        for f, w, v in fields(g):
            if f == 2:  # DenseNodes
                lat = lon = []
                kv = []
                for ff, _, vv in fields(v):
                    if ff == 8:
                        lat = [zigzag(x) for x in packed(vv)]
                    elif ff == 9:
                        lon = [zigzag(x) for x in packed(vv)]
                    elif ff == 10:
                        kv = packed(vv)
                k = 0
                la = lo = 0
                for idx in range(len(lat)):
                    la += lat[idx]
                    lo += lon[idx]
                    tags = {}
                    while k < len(kv) and kv[k] != 0:
                        tags[strings[kv[k]].decode()] = strings[kv[k + 1]].decode()
                        k += 2
                    k += 1
                    if tags.get("place") in KINDS and "name" in tags:
                        out.append((tags["place"], tags["name"], coord(lon_off, lo),
                                    coord(lat_off, la)))
            elif f == 1:  # plain Node
                keys, vals, la, lo = [], [], 0, 0
                for ff, _, vv in fields(v):
                    if ff == 2:
                        keys = packed(vv)
                    elif ff == 3:
                        vals = packed(vv)
                    elif ff == 8:
                        la = zigzag(vv)
                    elif ff == 9:
                        lo = zigzag(vv)
                tags = {strings[a].decode(): strings[b].decode() for a, b in zip(keys, vals)}
                if tags.get("place") in KINDS and "name" in tags:
                    out.append((tags["place"], tags["name"], coord(lon_off, lo),
                                coord(lat_off, la)))


def main(path):
    out = []
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
            if btype == "OSMData":
                block_places(data, out)
    print("kind,name,lon,lat")
    for kind, name, lon, lat in sorted(out, key=lambda r: (r[1], r[2])):
        print("%s,%s,%.6f,%.6f" % (kind, name.replace(",", " "), lon, lat))


if __name__ == "__main__":
    main(sys.argv[1])
