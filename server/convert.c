/* Converting between msgpack objects and jansson values, so that problems
 * and plans travel as msgpack maps with exactly the fields of the JSON
 * format (engine/vroom_json.c reads the JSON, engine/plan_json.c writes it).
 *
 * msgpack -> JSON: maps need string keys; binary and extension values have no
 * JSON form and are refused with the field path ("params[0].jobs[2].id:
 * binary value"); integers above INT64_MAX are refused too.  JSON -> msgpack
 * is total.  Also small helpers for reading and packing msgpack objects.
 * Depth is bounded by the framing limit (<= 32), so recursion is safe. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_int.h"

static cv_status conv(const msgpack_object *o, char *path, size_t plen, size_t cap, json_t **out,
                      cv_diag *diag)
{
    json_t *j = NULL;
    switch (o->type) {
    case MSGPACK_OBJECT_NIL:
        j = json_null();
        break;
    case MSGPACK_OBJECT_BOOLEAN:
        j = json_boolean(o->via.boolean);
        break;
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        if (o->via.u64 > (uint64_t)INT64_MAX)
            return cv_diag_set(diag, "%s: integer %llu is too large", path,
                               (unsigned long long)o->via.u64);
        j = json_integer((json_int_t)o->via.u64);
        break;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        j = json_integer((json_int_t)o->via.i64);
        break;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        if (o->via.f64 != o->via.f64 || o->via.f64 > 1.7e308 || o->via.f64 < -1.7e308)
            return cv_diag_set(diag, "%s: not a finite number", path);
        j = json_real(o->via.f64);
        break;
    case MSGPACK_OBJECT_STR:
        j = json_stringn(o->via.str.ptr, o->via.str.size);
        if (!j) return cv_diag_set(diag, "%s: string is not valid UTF-8", path);
        break;
    case MSGPACK_OBJECT_BIN:
        return cv_diag_set(diag, "%s: binary values are not accepted", path);
    case MSGPACK_OBJECT_EXT:
        return cv_diag_set(diag, "%s: extension values are not accepted", path);
    case MSGPACK_OBJECT_ARRAY:
        j = json_array();
        if (!j) return CV_ENOMEM;
        for (uint32_t i = 0; i < o->via.array.size; i++) {
            int n = snprintf(path + plen, cap - plen, "[%u]", i);
            size_t nl = n > 0 && (size_t)n < cap - plen ? plen + (size_t)n : plen;
            json_t *e = NULL;
            cv_status s = conv(&o->via.array.ptr[i], path, nl, cap, &e, diag);
            path[plen] = 0;
            if (s != CV_OK) {
                json_decref(j);
                return s;
            }
            if (json_array_append_new(j, e) != 0) {
                json_decref(j);
                return CV_ENOMEM;
            }
        }
        break;
    case MSGPACK_OBJECT_MAP:
        j = json_object();
        if (!j) return CV_ENOMEM;
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            const msgpack_object_kv *kv = &o->via.map.ptr[i];
            if (kv->key.type != MSGPACK_OBJECT_STR) {
                json_decref(j);
                return cv_diag_set(diag, "%s: map key %u is not a string", path, i);
            }
            int n = snprintf(path + plen, cap - plen, ".%.*s",
                             (int)(kv->key.via.str.size > 64 ? 64 : kv->key.via.str.size),
                             kv->key.via.str.ptr);
            size_t nl = n > 0 && (size_t)n < cap - plen ? plen + (size_t)n : plen;
            json_t *e = NULL;
            cv_status s = conv(&kv->val, path, nl, cap, &e, diag);
            path[plen] = 0;
            if (s != CV_OK) {
                json_decref(j);
                return s;
            }
            if (json_object_setn_new(j, kv->key.via.str.ptr, kv->key.via.str.size, e) != 0) {
                json_decref(j);
                return cv_diag_set(diag, "%s: map key %u is not valid UTF-8", path, i);
            }
        }
        break;
    default:
        return cv_diag_set(diag, "%s: unknown value type", path);
    }
    if (!j) return CV_ENOMEM;
    *out = j;
    return CV_OK;
}

cv_status cv__server_mp_to_json(const msgpack_object *o, const char *path, json_t **out,
                                cv_diag *diag)
{
    /* Depth <= 32 and at most 64+3 characters per level. */
    char buf[32 * 72 + 128];
    snprintf(buf, sizeof buf, "%s", path);
    return conv(o, buf, strlen(buf), sizeof buf, out, diag);
}

bool cv__server_json_pack(msgpack_packer *pk, const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_NULL:
        return msgpack_pack_nil(pk) == 0;
    case JSON_TRUE:
        return msgpack_pack_true(pk) == 0;
    case JSON_FALSE:
        return msgpack_pack_false(pk) == 0;
    case JSON_INTEGER:
        return msgpack_pack_int64(pk, json_integer_value(j)) == 0;
    case JSON_REAL:
        return msgpack_pack_double(pk, json_real_value(j)) == 0;
    case JSON_STRING: {
        size_t n = json_string_length(j);
        return msgpack_pack_str(pk, n) == 0 &&
               msgpack_pack_str_body(pk, json_string_value(j), n) == 0;
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(j);
        if (msgpack_pack_array(pk, n) != 0) return false;
        for (size_t i = 0; i < n; i++)
            if (!cv__server_json_pack(pk, json_array_get(j, i))) return false;
        return true;
    }
    case JSON_OBJECT: {
        if (msgpack_pack_map(pk, json_object_size(j)) != 0) return false;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)j, k, v)
        {
            cv__server_pack_str(pk, k);
            if (!cv__server_json_pack(pk, v)) return false;
        }
        return true;
    }
    }
    return false;
}

cv_status cv__server_json_text_to_mp(const char *text, size_t len, msgpack_sbuffer *out)
{
    json_error_t e;
    json_t *j = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    if (!j) return CV_EFORMAT;
    msgpack_sbuffer_init(out);
    msgpack_packer pk;
    msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
    bool ok = cv__server_json_pack(&pk, j);
    json_decref(j);
    if (!ok) {
        msgpack_sbuffer_destroy(out);
        return CV_ENOMEM;
    }
    return CV_OK;
}

bool cv__server_mp_str_eq(const msgpack_object *o, const char *s)
{
    size_t n = strlen(s);
    return o && o->type == MSGPACK_OBJECT_STR && o->via.str.size == n &&
           memcmp(o->via.str.ptr, s, n) == 0;
}

const msgpack_object *cv__server_mp_map_get(const msgpack_object *map, const char *key)
{
    if (!map || map->type != MSGPACK_OBJECT_MAP) return NULL;
    for (uint32_t i = 0; i < map->via.map.size; i++)
        if (cv__server_mp_str_eq(&map->via.map.ptr[i].key, key)) return &map->via.map.ptr[i].val;
    return NULL;
}

char *cv__server_mp_strdup(const msgpack_object *o)
{
    if (!o || o->type != MSGPACK_OBJECT_STR) return NULL;
    char *s = malloc((size_t)o->via.str.size + 1);
    if (!s) return NULL;
    memcpy(s, o->via.str.ptr, o->via.str.size);
    s[o->via.str.size] = 0;
    return s;
}

bool cv__server_mp_get_u64(const msgpack_object *o, uint64_t *out)
{
    if (!o || o->type != MSGPACK_OBJECT_POSITIVE_INTEGER) return false;
    *out = o->via.u64;
    return true;
}

bool cv__server_mp_get_double(const msgpack_object *o, double *out)
{
    if (!o) return false;
    switch (o->type) {
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        *out = (double)o->via.u64;
        return true;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        *out = (double)o->via.i64;
        return true;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        if (o->via.f64 != o->via.f64) return false;
        *out = o->via.f64;
        return true;
    default:
        return false;
    }
}

void cv__server_pack_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

void cv__server_pack_kv_str(msgpack_packer *pk, const char *k, const char *v)
{
    cv__server_pack_str(pk, k);
    cv__server_pack_str(pk, v);
}

void cv__server_pack_kv_u64(msgpack_packer *pk, const char *k, uint64_t v)
{
    cv__server_pack_str(pk, k);
    msgpack_pack_uint64(pk, v);
}

void cv__server_pack_kv_i64(msgpack_packer *pk, const char *k, int64_t v)
{
    cv__server_pack_str(pk, k);
    msgpack_pack_int64(pk, v);
}

void cv__server_pack_kv_double(msgpack_packer *pk, const char *k, double v)
{
    cv__server_pack_str(pk, k);
    msgpack_pack_double(pk, v);
}

void cv__server_pack_kv_bool(msgpack_packer *pk, const char *k, bool v)
{
    cv__server_pack_str(pk, k);
    if (v)
        msgpack_pack_true(pk);
    else
        msgpack_pack_false(pk);
}
