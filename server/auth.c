/* Tokens for --auth: reading the file and checking a presented token.
 *
 * File format, one token per line, '#' starts a comment, blank lines ignored:
 *     TOKEN coordinator
 *     TOKEN operator VEHICLE_ID
 * A token is 16..256 characters of [A-Za-z0-9._~+/=-] (base64/hex/uuid
 * friendly), unique in the file; VEHICLE_ID is the vehicle's integer `id`.
 * Like ssh with its keys, the file is refused when group or others may read
 * or write it (chmod 600), or when it is not a regular file.
 *
 * Comparison runs over every token and every byte of the longest one, with
 * no early exit, so its time does not depend on where a guess differs. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "server_int.h"

#define TOKEN_MIN 16
#define TOKEN_MAX 256

const char *cv__server_role_name(cv__role r)
{
    return r == CV__ROLE_COORDINATOR ? "coordinator" : r == CV__ROLE_OPERATOR ? "operator" : "none";
}

static bool token_char(int c)
{
    return isalnum(c) || strchr("._~+/=-", c) != NULL;
}

void cv__server_auth_fini(cv__auth *a)
{
    for (size_t i = 0; i < a->ntokens; i++) free(a->tokens[i].token);
    free(a->tokens);
    a->tokens = NULL;
    a->ntokens = 0;
}

cv_status cv__server_auth_load(cv__auth *a, const char *path, cv_diag *diag)
{
    memset(a, 0, sizeof *a);
    FILE *f = fopen(path, "r");
    if (!f) return cv_diag_set(diag, "%s: cannot open tokens file: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return cv_diag_set(diag, "%s: not a regular file", path);
    }
    if (st.st_mode & 077) {
        fclose(f);
        return cv_diag_set(diag,
                           "%s: permissions %03o let group or others access the tokens; "
                           "run chmod 600 %s",
                           path, (unsigned)(st.st_mode & 0777), path);
    }
    char line[1024];
    unsigned lineno = 0;
    size_t cap = 0;
    cv_status s = CV_OK;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t n = strlen(line);
        if (n == sizeof line - 1 && line[n - 1] != '\n') {
            s = cv_diag_set(diag, "%s:%u: line too long", path, lineno);
            break;
        }
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *save = NULL, *fields[4] = {0};
        int nf = 0;
        for (char *t = strtok_r(line, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
            if (nf == 4) break;
            fields[nf++] = t;
        }
        if (nf == 0) continue;
        if (nf < 2 || nf > 3) {
            s = cv_diag_set(
                diag, "%s:%u: expected \"TOKEN coordinator\" or \"TOKEN operator VEHICLE_ID\"",
                path, lineno);
            break;
        }
        size_t tl = strlen(fields[0]);
        bool ok = tl >= TOKEN_MIN && tl <= TOKEN_MAX;
        for (size_t i = 0; ok && i < tl; i++) ok = token_char((unsigned char)fields[0][i]);
        if (!ok) {
            s = cv_diag_set(diag,
                            "%s:%u: a token is %d..%d characters of letters, digits and ._~+/=-",
                            path, lineno, TOKEN_MIN, TOKEN_MAX);
            break;
        }
        cv__token tok = {0};
        tok.len = tl;
        if (!strcmp(fields[1], "coordinator") && nf == 2) {
            tok.role = CV__ROLE_COORDINATOR;
        } else if (!strcmp(fields[1], "operator") && nf == 3) {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(fields[2], &end, 10);
            if (*end || errno || fields[2][0] == '-' || !isdigit((unsigned char)fields[2][0])) {
                s = cv_diag_set(diag, "%s:%u: vehicle id \"%s\" is not a non-negative integer",
                                path, lineno, fields[2]);
                break;
            }
            tok.role = CV__ROLE_OPERATOR;
            tok.vehicle = v;
        } else {
            s = cv_diag_set(diag,
                            "%s:%u: role must be \"coordinator\" or \"operator VEHICLE_ID\" "
                            "(got \"%s\"%s)",
                            path, lineno, fields[1], nf == 3 ? " with an extra field" : "");
            break;
        }
        for (size_t i = 0; i < a->ntokens; i++)
            if (a->tokens[i].len == tl && !memcmp(a->tokens[i].token, fields[0], tl)) {
                s = cv_diag_set(diag, "%s:%u: token repeated (first on an earlier line)", path,
                                lineno);
                break;
            }
        if (s != CV_OK) break;
        if (a->ntokens == cap) {
            size_t nc = cap ? 2 * cap : 8;
            cv__token *nt = cv_realloc_array(a->tokens, nc, sizeof *nt);
            if (!nt) {
                s = CV_ENOMEM;
                break;
            }
            a->tokens = nt;
            cap = nc;
        }
        tok.token = strdup(fields[0]);
        if (!tok.token) {
            s = CV_ENOMEM;
            break;
        }
        a->tokens[a->ntokens++] = tok;
    }
    if (s == CV_OK && ferror(f)) s = cv_diag_set(diag, "%s: read error", path);
    fclose(f);
    if (s == CV_OK && a->ntokens == 0) s = cv_diag_set(diag, "%s: no tokens", path);
    if (s != CV_OK) cv__server_auth_fini(a);
    return s;
}

const cv__token *cv__server_auth_check(const cv__auth *a, const char *tok, size_t len)
{
    const cv__token *found = NULL;
    for (size_t i = 0; i < a->ntokens; i++) {
        const cv__token *t = &a->tokens[i];
        /* diff != 0 when lengths differ or any byte does; every byte of the
         * longer string is visited. */
        volatile unsigned diff = (unsigned)(t->len ^ len);
        size_t n = t->len > len ? t->len : len;
        if (n > TOKEN_MAX) n = TOKEN_MAX + 1, diff |= 1;
        for (size_t k = 0; k < n; k++) {
            unsigned char x = k < t->len ? (unsigned char)t->token[k] : 0;
            unsigned char y = k < len ? (unsigned char)tok[k] : 0;
            diff |= (unsigned)(x ^ y);
        }
        /* Branch-free select keeps the scan the same for hits and misses. */
        uintptr_t mask = (uintptr_t)0 - (uintptr_t)(diff == 0);
        found = (const cv__token *)(((uintptr_t)t & mask) | ((uintptr_t)found & ~mask));
    }
    return found;
}
