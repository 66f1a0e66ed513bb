/* The frozen-prefix check: what has happened cannot change.
 *
 * Reads two cv_live_to_json texts and nothing else (no live state, no solver
 * bookkeeping): for every vehicle, the steps `before` shows as done, started
 * or taken must open the same vehicle's route in `after`, in the same order,
 * with the same type, id, arrival and start; a done or taken step keeps its
 * end; a started visit stays started (same expected end) or becomes done. */
#include <jansson.h>
#include <string.h>

#include "cv/live.h"

static bool is_frozen(const char *s)
{
    return s && (!strcmp(s, "done") || !strcmp(s, "started") || !strcmp(s, "taken"));
}

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}
static json_int_t num(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

uint32_t cv_live_check_frozen(const char *before, const char *after, cv_diag *diag)
{
    json_t *a = json_loads(before, 0, NULL), *b = json_loads(after, 0, NULL);
    uint32_t bad = 0;
    if (!a || !b) {
        cv_diag_set(diag, "frozen check: %s is not JSON", !a ? "before" : "after");
        bad = 1;
        goto out;
    }
    json_t *va = json_object_get(a, "vehicles"), *x;
    size_t i;
    json_array_foreach(va, i, x)
    {
        json_int_t id = num(x, "id");
        json_t *y = NULL, *z;
        size_t j;
        json_array_foreach(json_object_get(b, "vehicles"), j, z) if (num(z, "id") == id) y = z;
        json_t *sa = json_object_get(x, "steps"), *sb = y ? json_object_get(y, "steps") : NULL;
        for (size_t k = 0; k < json_array_size(sa); k++) {
            json_t *s = json_array_get(sa, k), *t = json_array_get(sb, k);
            const char *st = str(s, "status");
            if (!is_frozen(st)) break;
            const char *tt = t ? str(t, "status") : NULL;
            bool same = t && !strcmp(str(s, "type"), str(t, "type") ? str(t, "type") : "") &&
                        num(s, "id") == num(t, "id") && num(s, "arrival") == num(t, "arrival") &&
                        num(s, "start") == num(t, "start") && is_frozen(tt);
            if (same && strcmp(st, "started") != 0)
                same = !strcmp(st, tt) && num(s, "end") == num(t, "end");
            if (same && !strcmp(st, "started") && !strcmp(tt, "started"))
                same = num(s, "end") == num(t, "end");
            if (same && !strcmp(st, "started"))
                same = !strcmp(tt, "started") || !strcmp(tt, "done");
            if (!same) {
                if (!bad)
                    cv_diag_set(diag,
                                "vehicle %lld step %zu: %s %lld (%s, start %lld) changed to %s",
                                (long long)id, k, str(s, "type"), (long long)num(s, "id"), st,
                                (long long)num(s, "start"),
                                t ? (tt ? tt : "?") : "nothing (route shorter)");
                bad++;
            }
        }
    }
out:
    json_decref(a);
    json_decref(b);
    return bad;
}
