/* libosmium behind a C face: the only C++ translation unit of carevan.
 *
 * One streaming pass over the file; each OSM object is turned into plain
 * arrays (refs, tags, members) and handed to the C callbacks of
 * cv_osm_handler.  Every exception (libosmium's format errors, I/O errors,
 * std::bad_alloc, anything else) is caught here and translated once into a
 * cv_status plus a diagnostic naming the file.  Workload: a city extract of a
 * few million objects; the per-object vectors are reused, not reallocated. */
#include "osm_reader.h"

#include <osmium/io/any_input.hpp>
#include <osmium/osm/node.hpp>
#include <osmium/osm/relation.hpp>
#include <osmium/osm/way.hpp>

#include <cerrno>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <system_error>
#include <vector>

namespace
{

/* Thrown by the dispatcher when a C callback asks to stop. */
struct callback_stop {
    int status;
};

struct dispatcher {
    const cv_osm_handler *h;
    std::vector<int64_t> refs;
    std::vector<cv_osm_tag> tags;
    std::vector<cv_osm_member> members;
    uint64_t nodes = 0, ways = 0;

    void collect_tags(const osmium::TagList &tl)
    {
        tags.clear();
        for (const osmium::Tag &t : tl) tags.push_back(cv_osm_tag{t.key(), t.value()});
    }

    void node(const osmium::Node &n)
    {
        nodes++;
        if (!h->node || !n.location().valid()) return;
        tags.clear();
        if (!n.tags().empty()) collect_tags(n.tags());
        int rc =
            h->node(h->ctx, n.id(), n.location().x(), n.location().y(), tags.data(), tags.size());
        if (rc) throw callback_stop{rc};
    }

    void way(const osmium::Way &w)
    {
        ways++;
        if (!h->way) return;
        refs.clear();
        for (const osmium::NodeRef &r : w.nodes()) refs.push_back(r.ref());
        collect_tags(w.tags());
        int rc = h->way(h->ctx, w.id(), refs.data(), refs.size(), tags.data(), tags.size());
        if (rc) throw callback_stop{rc};
    }

    void relation(const osmium::Relation &r)
    {
        if (!h->relation) return;
        members.clear();
        for (const osmium::RelationMember &m : r.members()) {
            char t = m.type() == osmium::item_type::node  ? 'n'
                     : m.type() == osmium::item_type::way ? 'w'
                                                          : 'r';
            members.push_back(cv_osm_member{t, m.ref(), m.role()});
        }
        collect_tags(r.tags());
        int rc =
            h->relation(h->ctx, r.id(), members.data(), members.size(), tags.data(), tags.size());
        if (rc) throw callback_stop{rc};
    }
};

cv_status fail(cv_diag *diag, cv_status st, const char *path, const char *what, const char *detail)
{
    cv_diag_set(diag, "%s: %s (%s)", path, what, detail);
    return st;
}

} // namespace

extern "C" cv_status cv_osm_read(const char *path, const cv_osm_handler *h, cv_diag *diag)
{
    try {
        /* Open ourselves first: libosmium's message for a missing file is vaguer. */
        if (FILE *f = std::fopen(path, "rb")) {
            std::fclose(f);
        } else {
            return fail(diag, CV_EIO, path, "cannot open", std::strerror(errno));
        }
        osmium::io::File file{path};
        osmium::io::Reader reader{file, osmium::osm_entity_bits::nwr};
        dispatcher d{h, {}, {}, {}};
        const size_t size = reader.file_size();
        while (osmium::memory::Buffer buf = reader.read()) {
            for (const osmium::OSMObject &obj : buf.select<osmium::OSMObject>()) {
                switch (obj.type()) {
                case osmium::item_type::node:
                    d.node(static_cast<const osmium::Node &>(obj));
                    break;
                case osmium::item_type::way:
                    d.way(static_cast<const osmium::Way &>(obj));
                    break;
                case osmium::item_type::relation:
                    d.relation(static_cast<const osmium::Relation &>(obj));
                    break;
                default:
                    break;
                }
            }
            if (h->progress && size > 0)
                h->progress(h->ctx, (double)reader.offset() / (double)size, d.nodes, d.ways);
        }
        reader.close();
        if (d.nodes == 0 && d.ways == 0)
            return fail(diag, CV_EFORMAT, path, "not an OSM file or empty", "no nodes, no ways");
        return CV_OK;
    } catch (const callback_stop &s) {
        return (cv_status)s.status;
    } catch (const std::bad_alloc &) {
        return fail(diag, CV_ENOMEM, path, "out of memory while reading", "std::bad_alloc");
    } catch (const osmium::unsupported_file_format_error &e) {
        return fail(diag, CV_EFORMAT, path,
                    "unsupported file format (use .osm.pbf, .osm or .osm.bz2)", e.what());
    } catch (const std::system_error &e) {
        return fail(diag, CV_EIO, path, "cannot read", e.what());
    } catch (const std::exception &e) {
        /* libosmium reports an unknown file name suffix as a plain runtime_error */
        if (std::strstr(e.what(), "Could not detect file format"))
            return fail(diag, CV_EFORMAT, path,
                        "unsupported file format (use .osm.pbf, .osm or .osm.bz2)", e.what());
        /* pbf_error, xml_error, bzip2_error, gzip_error, format_version_error, ... */
        return fail(diag, CV_EFORMAT, path, "corrupt or truncated OSM file", e.what());
    } catch (...) {
        return fail(diag, CV_EINTERNAL, path, "unexpected error while reading",
                    "unknown exception");
    }
}
