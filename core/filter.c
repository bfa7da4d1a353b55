/* filter.c: household filter language (see filter.h).
 *
 * Compilation: a recursive-descent parser builds an expression tree in one
 * array (at most one node per token), folds constant subtrees, then emits a
 * flat postfix program. Emission orders the operands of each binary operator
 * Sethi-Ullman style (the operand needing the deeper stack first, with a
 * "swapped" flag for non-commutative operators), and a constant operand
 * becomes an immediate of the instruction instead of a pushed vector.
 *
 * Evaluation: the program runs as a stack machine whose stack entries are
 * vectors of SP_FILTER_CHUNK doubles, one per household of the current chunk;
 * every instruction is a tight loop over the chunk, so the interpretation
 * cost is paid once per chunk, not once per household. */
#include "filter.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "group.h"

/* ---- columns ---- */

typedef enum col_id {
    COL_INCOME = 0,
    COL_INCOME_PC,
    COL_CONSUMPTION,
    COL_SIZE,
    COL_URBAN,
    COL_RURAL,
    COL_QUINTILE,
    COL_LIQUIDITY,
    COL_HTM,
    COL_DRIVERS,
    COL_ELIGIBLE,
    COL_GENERATIONS,
    COL_FIRST_DYNAMIC,
    COL_CARS = COL_FIRST_DYNAMIC,
    COL_CAR_OWNER,
    COL_CAR_AGE,
    COL_CAR_AGE_YEARS,
    COL_EMISSION,
    COL_NEV,
    COL_PLATE_STATE,
    COL_APPLICANTS,
    NCOL
} col_id;

static const char *const col_names[] = {
    "income",        "income_pc", "consumption",      "size",
    "urban",         "rural",     "income_quintile",  "liquidity",
    "hand_to_mouth", "drivers",   "lottery_eligible", "generations",
    "cars",          "car_owner", "car_age",          "car_age_years",
    "emission",      "nev",       "plate_state",      "applicants"};
_Static_assert(sizeof col_names / sizeof col_names[0] == NCOL, "one name per column");

static const struct {
    const char *name;
    double value;
} named_consts[] = {
    {"poor_htm", SP_LIQ_POOR_HTM + 1},
    {"wealthy_htm", SP_LIQ_WEALTHY_HTM + 1},
    {"poor_nhtm", SP_LIQ_POOR_NHTM + 1},
    {"wealthy_nhtm", SP_LIQ_WEALTHY_NHTM + 1},
};

/* ---- program ---- */

typedef enum op_id {
    OP_CONST, /* push k */
    OP_LOAD,  /* push column col */
    OP_NEG,
    OP_NOT,
    /* binary operators; OP_LT..OP_NE follow the order of T_LT..T_NE */
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_DIV,
    OP_LT,
    OP_LE,
    OP_GT,
    OP_GE,
    OP_EQ,
    OP_NE,
    OP_AND,
    OP_OR
} op_id;

/* Operand shapes of a binary instruction. With a = left and b = right
 * operand: VV pops b then a; VV_SWAPPED pops a then b (the right operand was
 * evaluated first); VK has b = k and a on the stack; KV has a = k. */
enum { SHAPE_VV = 0, SHAPE_VV_SWAPPED, SHAPE_VK, SHAPE_KV };

typedef struct instr {
    uint8_t op;
    uint8_t shape;
    uint8_t col;
    double k;
} instr;

struct sp_filter {
    char *text;
    instr *code;
    int ncode;
    int uses_state;
    int first_dynamic; /* a dynamic column the filter reads (for messages), or -1 */
};

/* ---- tokens ---- */

typedef enum tok_id {
    T_EOF = 0,
    T_NUM,
    T_IDENT,
    T_LPAREN,
    T_RPAREN,
    T_PLUS,
    T_MINUS,
    T_STAR,
    T_SLASH,
    T_LT,
    T_LE,
    T_GT,
    T_GE,
    T_EQ,
    T_NE,
    T_AND,
    T_OR,
    T_NOT,
    T_TRUE,
    T_FALSE
} tok_id;

typedef struct token {
    tok_id id;
    size_t pos; /* 0-based offset into the text */
    size_t len;
    double num;
} token;

/* ---- expression tree ---- */

typedef enum node_kind { N_CONST, N_COL, N_UNARY, N_BINARY } node_kind;

typedef struct node {
    node_kind kind;
    op_id op;
    int col;
    int a, b; /* children (node indices) */
    int need; /* stack entries needed to evaluate (Sethi-Ullman number) */
    double value;
} node;

typedef struct parser {
    const char *s;
    size_t len;
    token tok;
    node *nodes;
    int nnodes, cap;
    int depth;
    int failed;
    sp_err *err;
} parser;

static int fail_at(parser *p, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int fail_at(parser *p, int code, const char *fmt, ...)
{
    if (p->failed)
        return -1;
    p->failed = 1;
    if (p->err) {
        char buf[SP_ERR_MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        sp_err_set(p->err, code, "%s", buf);
    }
    return -1;
}

/* Describes a token for messages: "'and'", "end of expression". */
static void describe(const parser *p, const token *t, char *out, size_t size)
{
    if (t->id == T_EOF) {
        snprintf(out, size, "end of expression");
        return;
    }
    int n = t->len > 40 ? 40 : (int)t->len;
    snprintf(out, size, "'%.*s%s'", n, p->s + t->pos, t->len > 40 ? "..." : "");
}

static int is_ident_start(int c) { return isalpha(c) || c == '_'; }
static int is_ident_char(int c) { return isalnum(c) || c == '_'; }

/* Scans the next token into p->tok. Returns 0, or -1 on a lexical error. */
static int next(parser *p)
{
    const char *s = p->s;
    size_t i = p->tok.pos + p->tok.len;
    while (i < p->len && isspace((unsigned char)s[i]))
        i++;
    token t = {T_EOF, i, 0, 0.0};
    if (i >= p->len) {
        t.pos = p->len;
        p->tok = t;
        return 0;
    }
    unsigned char c = (unsigned char)s[i];
    unsigned char c1 = i + 1 < p->len ? (unsigned char)s[i + 1] : 0;
    if (isdigit(c) || (c == '.' && isdigit(c1))) {
        size_t j = i;
        while (j < p->len && isdigit((unsigned char)s[j]))
            j++;
        if (j < p->len && s[j] == '.') {
            j++;
            while (j < p->len && isdigit((unsigned char)s[j]))
                j++;
        }
        if (j < p->len && (s[j] == 'e' || s[j] == 'E')) {
            size_t e = j + 1;
            if (e < p->len && (s[e] == '+' || s[e] == '-'))
                e++;
            if (e < p->len && isdigit((unsigned char)s[e])) {
                while (e < p->len && isdigit((unsigned char)s[e]))
                    e++;
                j = e;
            }
        }
        if (j < p->len && (is_ident_char((unsigned char)s[j]) || s[j] == '.')) {
            size_t e = j;
            while (e < p->len && (is_ident_char((unsigned char)s[e]) || s[e] == '.'))
                e++;
            return fail_at(p, SP_EINVAL, "malformed number '%.*s' at position %zu",
                           (int)(e - i > 40 ? 40 : e - i), s + i, i + 1);
        }
        char buf[64];
        if (j - i >= sizeof buf)
            return fail_at(p, SP_EINVAL, "number too long at position %zu", i + 1);
        memcpy(buf, s + i, j - i);
        buf[j - i] = '\0';
        t.num = strtod(buf, NULL);
        if (!(t.num <= 1e300))
            return fail_at(p, SP_EINVAL, "number '%s' out of range at position %zu", buf, i + 1);
        t.id = T_NUM;
        t.len = j - i;
        p->tok = t;
        return 0;
    }
    if (is_ident_start(c)) {
        size_t j = i;
        while (j < p->len && is_ident_char((unsigned char)s[j]))
            j++;
        t.len = j - i;
        t.id = T_IDENT;
        static const struct {
            const char *word;
            tok_id id;
        } kw[] = {
            {"and", T_AND}, {"or", T_OR}, {"not", T_NOT}, {"true", T_TRUE}, {"false", T_FALSE}};
        for (size_t k = 0; k < sizeof kw / sizeof kw[0]; k++)
            if (strlen(kw[k].word) == t.len && memcmp(kw[k].word, s + i, t.len) == 0)
                t.id = kw[k].id;
        p->tok = t;
        return 0;
    }
    t.len = 1;
    switch (c) {
    case '(': t.id = T_LPAREN; break;
    case ')': t.id = T_RPAREN; break;
    case '+': t.id = T_PLUS; break;
    case '-': t.id = T_MINUS; break;
    case '*': t.id = T_STAR; break;
    case '/': t.id = T_SLASH; break;
    case '<':
        t.id = c1 == '=' ? T_LE : T_LT;
        t.len = c1 == '=' ? 2 : 1;
        break;
    case '>':
        t.id = c1 == '=' ? T_GE : T_GT;
        t.len = c1 == '=' ? 2 : 1;
        break;
    case '=':
        if (c1 != '=')
            return fail_at(p, SP_EINVAL, "unexpected '=' at position %zu (use '==' to compare)",
                           i + 1);
        t.id = T_EQ;
        t.len = 2;
        break;
    case '~':
    case '!':
        if (c1 != '=')
            return fail_at(p, SP_EINVAL, "unexpected '%c' at position %zu (use '%c=' or 'not')", c,
                           i + 1, c);
        t.id = T_NE;
        t.len = 2;
        break;
    case '&':
    case '|':
        return fail_at(p, SP_EINVAL, "unexpected '%c' at position %zu (use '%s')", c, i + 1,
                       c == '&' ? "and" : "or");
    default:
        if (isprint(c))
            return fail_at(p, SP_EINVAL, "unexpected character '%c' at position %zu", c, i + 1);
        return fail_at(p, SP_EINVAL, "unexpected byte 0x%02x at position %zu", c, i + 1);
    }
    p->tok = t;
    return 0;
}

static int new_node(parser *p, node_kind kind)
{
    if (p->nnodes >= p->cap)
        return fail_at(p, SP_EINVAL, "filter expression too complex");
    node *n = &p->nodes[p->nnodes];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->a = n->b = -1;
    return p->nnodes++;
}

static int const_node(parser *p, double v)
{
    int k = new_node(p, N_CONST);
    if (k >= 0)
        p->nodes[k].value = v;
    return k;
}

static double fold_unary(op_id op, double a) { return op == OP_NEG ? -a : (double)(a == 0.0); }

static double fold_binary(op_id op, double a, double b)
{
    switch (op) {
    case OP_ADD: return a + b;
    case OP_SUB: return a - b;
    case OP_MUL: return a * b;
    case OP_DIV: return b != 0.0 ? a / b : 0.0;
    case OP_LT: return a < b;
    case OP_LE: return a <= b;
    case OP_GT: return a > b;
    case OP_GE: return a >= b;
    case OP_EQ: return a == b;
    case OP_NE: return a != b;
    case OP_AND: return (a != 0.0) && (b != 0.0);
    case OP_OR: return (a != 0.0) || (b != 0.0);
    default: return 0.0;
    }
}

/* Builds a unary node, folding a constant operand. */
static int unary_node(parser *p, op_id op, int a)
{
    if (a < 0)
        return -1;
    if (p->nodes[a].kind == N_CONST) {
        p->nodes[a].value = fold_unary(op, p->nodes[a].value);
        return a;
    }
    int k = new_node(p, N_UNARY);
    if (k >= 0) {
        p->nodes[k].op = op;
        p->nodes[k].a = a;
    }
    return k;
}

/* Builds a binary node, folding two constant operands. */
static int binary_node(parser *p, op_id op, int a, int b)
{
    if (a < 0 || b < 0)
        return -1;
    if (p->nodes[a].kind == N_CONST && p->nodes[b].kind == N_CONST) {
        p->nodes[a].value = fold_binary(op, p->nodes[a].value, p->nodes[b].value);
        return a;
    }
    int k = new_node(p, N_BINARY);
    if (k >= 0) {
        p->nodes[k].op = op;
        p->nodes[k].a = a;
        p->nodes[k].b = b;
    }
    return k;
}

static int enter(parser *p)
{
    if (++p->depth > SP_FILTER_MAX_DEPTH)
        return fail_at(p, SP_EINVAL,
                       "filter expression nested too deeply at position %zu (at most %d levels)",
                       p->tok.pos + 1, SP_FILTER_MAX_DEPTH);
    return 0;
}

static size_t edit_distance(const char *a, size_t na, const char *b)
{
    size_t nb = strlen(b);
    size_t row[64];
    if (na >= 63 || nb >= 63)
        return 99;
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[nb];
}

static int unknown_column(parser *p, const token *t)
{
    const char *word = p->s + t->pos;
    const char *best = NULL;
    size_t best_d = 3; /* suggest only close matches */
    for (int c = 0; c < NCOL; c++) {
        size_t d = edit_distance(word, t->len, col_names[c]);
        if (d < best_d) {
            best_d = d;
            best = col_names[c];
        }
    }
    for (size_t c = 0; c < sizeof named_consts / sizeof named_consts[0]; c++) {
        size_t d = edit_distance(word, t->len, named_consts[c].name);
        if (d < best_d) {
            best_d = d;
            best = named_consts[c].name;
        }
    }
    char list[400];
    size_t used = 0;
    list[0] = '\0';
    for (int c = 0; c < NCOL && used < sizeof list; c++) {
        int w = snprintf(list + used, sizeof list - used, "%s%s", c ? ", " : "", col_names[c]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    int n = t->len > 40 ? 40 : (int)t->len;
    if (best)
        return fail_at(p, SP_EINVAL,
                       "unknown column '%.*s' at position %zu (did you mean '%s'? columns: %s)", n,
                       word, t->pos + 1, best, list);
    return fail_at(p, SP_EINVAL, "unknown column '%.*s' at position %zu (columns: %s)", n, word,
                   t->pos + 1, list);
}

static int parse_or(parser *p);

static int parse_primary(parser *p)
{
    token t = p->tok;
    switch (t.id) {
    case T_NUM:
        if (next(p) < 0)
            return -1;
        return const_node(p, t.num);
    case T_TRUE:
    case T_FALSE:
        if (next(p) < 0)
            return -1;
        return const_node(p, t.id == T_TRUE ? 1.0 : 0.0);
    case T_IDENT: {
        for (int c = 0; c < NCOL; c++)
            if (strlen(col_names[c]) == t.len && memcmp(col_names[c], p->s + t.pos, t.len) == 0) {
                if (next(p) < 0)
                    return -1;
                int k = new_node(p, N_COL);
                if (k >= 0)
                    p->nodes[k].col = c;
                return k;
            }
        for (size_t c = 0; c < sizeof named_consts / sizeof named_consts[0]; c++)
            if (strlen(named_consts[c].name) == t.len &&
                memcmp(named_consts[c].name, p->s + t.pos, t.len) == 0) {
                if (next(p) < 0)
                    return -1;
                return const_node(p, named_consts[c].value);
            }
        return unknown_column(p, &t);
    }
    case T_LPAREN: {
        if (enter(p) < 0 || next(p) < 0)
            return -1;
        int k = parse_or(p);
        if (k < 0)
            return -1;
        if (p->tok.id != T_RPAREN) {
            char what[64];
            describe(p, &p->tok, what, sizeof what);
            return fail_at(p, SP_EINVAL,
                           "expected ')' at position %zu to close '(' at position %zu, found %s",
                           p->tok.pos + 1, t.pos + 1, what);
        }
        p->depth--;
        if (next(p) < 0)
            return -1;
        return k;
    }
    default: {
        char what[64];
        describe(p, &p->tok, what, sizeof what);
        return fail_at(p, SP_EINVAL,
                       "unexpected %s at position %zu (expected a number, a column, 'not' or '(')",
                       what, t.pos + 1);
    }
    }
}

static int parse_unary(parser *p)
{
    if (p->tok.id == T_MINUS) {
        if (enter(p) < 0 || next(p) < 0)
            return -1;
        int k = unary_node(p, OP_NEG, parse_unary(p));
        p->depth--;
        return k;
    }
    return parse_primary(p);
}

static int parse_term(parser *p)
{
    int a = parse_unary(p);
    while (a >= 0 && (p->tok.id == T_STAR || p->tok.id == T_SLASH)) {
        op_id op = p->tok.id == T_STAR ? OP_MUL : OP_DIV;
        if (next(p) < 0)
            return -1;
        a = binary_node(p, op, a, parse_unary(p));
    }
    return a;
}

static int parse_sum(parser *p)
{
    int a = parse_term(p);
    while (a >= 0 && (p->tok.id == T_PLUS || p->tok.id == T_MINUS)) {
        op_id op = p->tok.id == T_PLUS ? OP_ADD : OP_SUB;
        if (next(p) < 0)
            return -1;
        a = binary_node(p, op, a, parse_term(p));
    }
    return a;
}

static int is_cmp(tok_id t) { return t >= T_LT && t <= T_NE; }

static int parse_cmp(parser *p)
{
    int a = parse_sum(p);
    if (a < 0 || !is_cmp(p->tok.id))
        return a;
    _Static_assert(OP_NE - OP_LT == T_NE - T_LT && OP_GE - OP_LT == T_GE - T_LT,
                   "comparison operators in the order of their tokens");
    op_id op = (op_id)(OP_LT + (p->tok.id - T_LT));
    if (next(p) < 0)
        return -1;
    int k = binary_node(p, op, a, parse_sum(p));
    if (k >= 0 && is_cmp(p->tok.id)) {
        char what[64];
        describe(p, &p->tok, what, sizeof what);
        return fail_at(p, SP_EINVAL,
                       "comparisons do not chain: unexpected %s at position %zu (use 'and')", what,
                       p->tok.pos + 1);
    }
    return k;
}

static int parse_not(parser *p)
{
    if (p->tok.id == T_NOT) {
        if (enter(p) < 0 || next(p) < 0)
            return -1;
        int k = unary_node(p, OP_NOT, parse_not(p));
        p->depth--;
        return k;
    }
    return parse_cmp(p);
}

static int parse_and(parser *p)
{
    int a = parse_not(p);
    while (a >= 0 && p->tok.id == T_AND) {
        if (next(p) < 0)
            return -1;
        a = binary_node(p, OP_AND, a, parse_not(p));
    }
    return a;
}

static int parse_or(parser *p)
{
    int a = parse_and(p);
    while (a >= 0 && p->tok.id == T_OR) {
        if (next(p) < 0)
            return -1;
        a = binary_node(p, OP_OR, a, parse_and(p));
    }
    return a;
}

/* ---- code generation ---- */

static int is_commutative(op_id op)
{
    return op == OP_ADD || op == OP_MUL || op == OP_EQ || op == OP_NE || op == OP_AND ||
           op == OP_OR;
}

/* Computes need (stack entries) of the subtree rooted at k; returns it. */
static int label(node *nodes, int k)
{
    node *n = &nodes[k];
    switch (n->kind) {
    case N_CONST:
    case N_COL: n->need = 1; break;
    case N_UNARY: n->need = label(nodes, n->a); break;
    case N_BINARY: {
        int na = label(nodes, n->a), nb = label(nodes, n->b);
        if (nodes[n->a].kind == N_CONST)
            n->need = nb;
        else if (nodes[n->b].kind == N_CONST)
            n->need = na;
        else
            n->need = na == nb ? na + 1 : (na > nb ? na : nb);
        break;
    }
    }
    return n->need;
}

typedef struct emitter {
    const node *nodes;
    instr *code;
    int n;
} emitter;

static void emit(emitter *e, instr in) { e->code[e->n++] = in; }

static void gen(emitter *e, int k)
{
    const node *n = &e->nodes[k];
    instr in = {0, SHAPE_VV, 0, 0.0};
    switch (n->kind) {
    case N_CONST:
        in.op = OP_CONST;
        in.k = n->value;
        emit(e, in);
        return;
    case N_COL:
        in.op = OP_LOAD;
        in.col = (uint8_t)n->col;
        emit(e, in);
        return;
    case N_UNARY:
        gen(e, n->a);
        in.op = (uint8_t)n->op;
        emit(e, in);
        return;
    case N_BINARY: {
        const node *a = &e->nodes[n->a], *b = &e->nodes[n->b];
        in.op = (uint8_t)n->op;
        if (b->kind == N_CONST) {
            gen(e, n->a);
            in.shape = SHAPE_VK;
            in.k = b->value;
            emit(e, in);
        } else if (a->kind == N_CONST) {
            gen(e, n->b);
            in.shape = SHAPE_KV;
            in.k = a->value;
            emit(e, in);
        } else if (b->need > a->need) {
            gen(e, n->b);
            gen(e, n->a);
            in.shape = is_commutative(n->op) ? SHAPE_VV : SHAPE_VV_SWAPPED;
            emit(e, in);
        } else {
            gen(e, n->a);
            gen(e, n->b);
            emit(e, in);
        }
        return;
    }
    }
}

sp_filter *sp_filter_compile(const char *text, sp_err *err)
{
    if (!text) {
        sp_err_set(err, SP_EINVAL, "filter text is NULL");
        return NULL;
    }
    size_t len = strlen(text);
    if (len > SP_FILTER_MAX_LEN) {
        sp_err_set(err, SP_EINVAL, "filter expression too long (%zu characters; at most %d)", len,
                   SP_FILTER_MAX_LEN);
        return NULL;
    }
    size_t i = 0;
    while (i < len && isspace((unsigned char)text[i]))
        i++;
    if (i == len) {
        sp_err_set(err, SP_EINVAL, "empty filter expression");
        return NULL;
    }

    parser p;
    memset(&p, 0, sizeof p);
    p.s = text;
    p.len = len;
    p.err = err;
    p.cap = (int)len + 2; /* at most one node per token, tokens <= characters */
    p.nodes = malloc((size_t)p.cap * sizeof *p.nodes);
    sp_filter *f = calloc(1, sizeof *f);
    if (!p.nodes || !f) {
        free(p.nodes);
        free(f);
        sp_err_set(err, SP_ENOMEM, "out of memory compiling a filter");
        return NULL;
    }
    p.tok.pos = 0;
    p.tok.len = 0;
    int root = next(&p) < 0 ? -1 : parse_or(&p);
    if (root >= 0 && p.tok.id != T_EOF) {
        char what[64];
        describe(&p, &p.tok, what, sizeof what);
        fail_at(&p, SP_EINVAL, "unexpected %s at position %zu after a complete expression", what,
                p.tok.pos + 1);
        root = -1;
    }
    if (root < 0) {
        if (!p.failed)
            sp_err_set(err, SP_EINVAL, "invalid filter expression");
        free(p.nodes);
        free(f);
        return NULL;
    }

    /* With operands ordered by need, the stack grows about as log2 of the
     * number of leaves, so SP_FILTER_MAX_STACK is far beyond what
     * SP_FILTER_MAX_LEN characters can demand; checked all the same. */
    int need = label(p.nodes, root);
    if (need > SP_FILTER_MAX_STACK) {
        sp_err_set(err, SP_EINVAL,
                   "filter expression needs %d vectors of evaluation stack (at most %d)", need,
                   SP_FILTER_MAX_STACK);
        free(p.nodes);
        free(f);
        return NULL;
    }
    f->text = malloc(len + 1);
    f->code = malloc((size_t)p.nnodes * sizeof *f->code);
    if (!f->text || !f->code) {
        free(p.nodes);
        sp_filter_free(f);
        sp_err_set(err, SP_ENOMEM, "out of memory compiling a filter");
        return NULL;
    }
    memcpy(f->text, text, len + 1);
    emitter e = {p.nodes, f->code, 0};
    gen(&e, root);
    f->ncode = e.n;
    f->first_dynamic = -1;
    for (int k = 0; k < f->ncode; k++)
        if (f->code[k].op == OP_LOAD && f->code[k].col >= COL_FIRST_DYNAMIC) {
            f->uses_state = 1;
            if (f->first_dynamic < 0)
                f->first_dynamic = f->code[k].col;
        }
    free(p.nodes);
    return f;
}

void sp_filter_free(sp_filter *f)
{
    if (!f)
        return;
    free(f->text);
    free(f->code);
    free(f);
}

const char *sp_filter_text(const sp_filter *f) { return f ? f->text : NULL; }

int sp_filter_uses_state(const sp_filter *f) { return f ? f->uses_state : 0; }

/* ---- evaluation ---- */

/* Writes column col of households [b, b + m) to o. */
static void load_column(int col, const sp_population *pop, const sp_hstate *st, size_t b, int m,
                        double *restrict o)
{
    switch (col) {
    case COL_INCOME: {
        const float *x = pop->income + b;
        for (int i = 0; i < m; i++)
            o[i] = x[i];
        break;
    }
    case COL_INCOME_PC: {
        const float *x = pop->income + b;
        const uint8_t *s = pop->size + b;
        for (int i = 0; i < m; i++)
            o[i] = s[i] ? (double)x[i] / s[i] : 0.0;
        break;
    }
    case COL_CONSUMPTION: {
        const float *x = pop->consumption + b;
        for (int i = 0; i < m; i++)
            o[i] = x[i];
        break;
    }
#define U8_COLUMN(ID, ARRAY, EXPR)      \
    case ID: {                          \
        const uint8_t *x = (ARRAY) + b; \
        for (int i = 0; i < m; i++)     \
            o[i] = (EXPR);              \
        break;                          \
    }
        U8_COLUMN(COL_SIZE, pop->size, x[i])
        U8_COLUMN(COL_URBAN, pop->area, x[i] == SP_AREA_URBAN)
        U8_COLUMN(COL_RURAL, pop->area, x[i] == SP_AREA_RURAL)
        U8_COLUMN(COL_QUINTILE, pop->quintile, x[i] + 1)
        U8_COLUMN(COL_LIQUIDITY, pop->liquidity, x[i] + 1)
        U8_COLUMN(COL_HTM, pop->liquidity, x[i] == SP_LIQ_POOR_HTM || x[i] == SP_LIQ_WEALTHY_HTM)
        U8_COLUMN(COL_DRIVERS, pop->drivers, x[i])
        U8_COLUMN(COL_ELIGIBLE, pop->eligible, x[i])
        U8_COLUMN(COL_GENERATIONS, pop->generations, x[i])
        U8_COLUMN(COL_CARS, st->ncars, x[i])
        U8_COLUMN(COL_CAR_OWNER, st->ncars, x[i] > 0)
        U8_COLUMN(COL_PLATE_STATE, st->plate_state, x[i])
        U8_COLUMN(COL_APPLICANTS, st->applicants, x[i])
#undef U8_COLUMN
    case COL_CAR_AGE:
    case COL_CAR_AGE_YEARS: {
        const uint8_t *nc = st->ncars + b;
        int32_t best[SP_FILTER_CHUNK];
        for (int i = 0; i < m; i++)
            best[i] = 0;
        for (int k = 0; k < SP_MAX_CARS; k++) {
            const uint16_t *age = st->car_age[k] + b;
            for (int i = 0; i < m; i++) {
                int32_t a = age[i]; /* loaded unconditionally so the loop vectorizes */
                int32_t v = nc[i] > k ? a : 0;
                best[i] = v > best[i] ? v : best[i];
            }
        }
        const double scale = col == COL_CAR_AGE_YEARS ? 1.0 / 12.0 : 1.0;
        for (int i = 0; i < m; i++)
            o[i] = (double)best[i] * scale;
        break;
    }
    case COL_EMISSION:
    case COL_NEV: {
        /* branch-free pass per car slot: keep the kind of the oldest car so far */
        const uint8_t *nc = st->ncars + b;
        int32_t best[SP_FILTER_CHUNK];
        uint8_t kind[SP_FILTER_CHUNK];
        for (int i = 0; i < m; i++) {
            best[i] = -1;
            kind[i] = 0;
        }
        for (int k = 0; k < SP_MAX_CARS; k++) {
            const uint16_t *age = st->car_age[k] + b;
            const uint8_t *kk = st->car_kind[k] + b;
            for (int i = 0; i < m; i++) {
                int32_t a = age[i];
                uint8_t c = kk[i];
                int take = nc[i] > k && a > best[i];
                best[i] = take ? a : best[i];
                kind[i] = take ? c : kind[i];
            }
        }
        if (col == COL_EMISSION)
            for (int i = 0; i < m; i++)
                o[i] = (double)SP_CAR_EMISSION(kind[i]);
        else
            for (int i = 0; i < m; i++)
                o[i] = (double)((kind[i] & SP_CAR_NEV) != 0);
        break;
    }
    default:
        for (int i = 0; i < m; i++)
            o[i] = 0.0;
        break;
    }
}

/* out[i] = x[i] OP y[i], with either operand possibly a scalar. */
#define BINARY_LOOPS(EXPR)                 \
    do {                                   \
        if (shape == SHAPE_VK) {           \
            const double b_ = in->k;       \
            for (int i = 0; i < m; i++) {  \
                double a = top[i], b = b_; \
                top[i] = (EXPR);           \
            }                              \
        } else if (shape == SHAPE_KV) {    \
            const double a_ = in->k;       \
            for (int i = 0; i < m; i++) {  \
                double a = a_, b = top[i]; \
                top[i] = (EXPR);           \
            }                              \
        } else {                           \
            for (int i = 0; i < m; i++) {  \
                double a = x[i], b = y[i]; \
                below[i] = (EXPR);         \
            }                              \
        }                                  \
    } while (0)

/* Runs the program over households [base, base + m) (m <= SP_FILTER_CHUNK); the
 * result is left in stack[0]. */
static void run_chunk(const sp_filter *f, const sp_population *pop, const sp_hstate *st,
                      size_t base, int m, double stack[][SP_FILTER_CHUNK])
{
    int t = -1; /* index of the top entry */
    for (int pc = 0; pc < f->ncode; pc++) {
        const instr *in = &f->code[pc];
        int shape = in->shape;
        switch ((op_id)in->op) {
        case OP_CONST: {
            double *o = stack[++t];
            for (int i = 0; i < m; i++)
                o[i] = in->k;
            continue;
        }
        case OP_LOAD: load_column(in->col, pop, st, base, m, stack[++t]); continue;
        case OP_NEG: {
            double *o = stack[t];
            for (int i = 0; i < m; i++)
                o[i] = -o[i];
            continue;
        }
        case OP_NOT: {
            double *o = stack[t];
            for (int i = 0; i < m; i++)
                o[i] = (double)(o[i] == 0.0);
            continue;
        }
        default: break;
        }
        double *top = stack[t];
        double *below = t > 0 ? stack[t - 1] : stack[t];
        const double *x = below, *y = top;
        if (shape == SHAPE_VV_SWAPPED) {
            x = top;
            y = below;
        }
        switch ((op_id)in->op) {
        case OP_ADD: BINARY_LOOPS(a + b); break;
        case OP_SUB: BINARY_LOOPS(a - b); break;
        case OP_MUL: BINARY_LOOPS(a * b); break;
        case OP_DIV: BINARY_LOOPS(b != 0.0 ? a / b : 0.0); break;
        case OP_LT: BINARY_LOOPS((double)(a < b)); break;
        case OP_LE: BINARY_LOOPS((double)(a <= b)); break;
        case OP_GT: BINARY_LOOPS((double)(a > b)); break;
        case OP_GE: BINARY_LOOPS((double)(a >= b)); break;
        case OP_EQ: BINARY_LOOPS((double)(a == b)); break;
        case OP_NE: BINARY_LOOPS((double)(a != b)); break;
        case OP_AND: BINARY_LOOPS(a != 0.0 && b != 0.0 ? 1.0 : 0.0); break;
        case OP_OR: BINARY_LOOPS(a != 0.0 || b != 0.0 ? 1.0 : 0.0); break;
        default: break;
        }
        if (shape == SHAPE_VV || shape == SHAPE_VV_SWAPPED)
            t--;
    }
}

#undef BINARY_LOOPS

static int check_args(const sp_filter *f, const sp_population *pop, const sp_hstate *state,
                      size_t lo, size_t hi, sp_err *err)
{
    if (!f || !pop)
        return sp_err_set(err, SP_EINVAL, "filter evaluation needs a filter and a population");
    if (lo > hi || hi > pop->n)
        return sp_err_set(err, SP_EINVAL,
                          "filter '%.200s': household range [%zu, %zu) outside 0..%zu", f->text, lo,
                          hi, pop->n);
    if (f->uses_state) {
        if (!state)
            return sp_err_set(
                err, SP_EINVAL,
                "filter '%.200s' reads the dynamic column '%s' but no household state was given",
                f->text, col_names[f->first_dynamic]);
        if (state->n < hi)
            return sp_err_set(err, SP_EINVAL,
                              "filter '%.200s': household state holds %zu households, need %zu",
                              f->text, state->n, hi);
    }
    return SP_OK;
}

int sp_filter_eval(const sp_filter *f, const sp_population *pop, const sp_hstate *state, size_t lo,
                   size_t hi, uint8_t *mask, sp_err *err)
{
    int rc = check_args(f, pop, state, lo, hi, err);
    if (rc != SP_OK)
        return rc;
    if (hi > lo && !mask)
        return sp_err_set(err, SP_EINVAL, "filter '%.200s': mask is NULL", f->text);
    double stack[SP_FILTER_MAX_STACK][SP_FILTER_CHUNK];
    for (size_t b = lo; b < hi; b += SP_FILTER_CHUNK) {
        int m = hi - b < SP_FILTER_CHUNK ? (int)(hi - b) : SP_FILTER_CHUNK;
        run_chunk(f, pop, state, b, m, stack);
        uint8_t *restrict out = mask + (b - lo);
        const double *restrict r = stack[0];
        for (int i = 0; i < m; i++)
            out[i] = r[i] != 0.0 ? 1 : 0;
    }
    return SP_OK;
}

int sp_filter_count(const sp_filter *f, const sp_population *pop, const sp_hstate *state,
                    double *weighted, sp_err *err)
{
    if (!weighted)
        return sp_err_set(err, SP_EINVAL, "filter count: weighted is NULL");
    *weighted = 0.0;
    int rc = check_args(f, pop, state, 0, pop ? pop->n : 0, err);
    if (rc != SP_OK)
        return rc;
    double stack[SP_FILTER_MAX_STACK][SP_FILTER_CHUNK];
    double sum = 0.0;
    for (size_t b = 0; b < pop->n; b += SP_FILTER_CHUNK) {
        int m = pop->n - b < SP_FILTER_CHUNK ? (int)(pop->n - b) : SP_FILTER_CHUNK;
        run_chunk(f, pop, state, b, m, stack);
        const double *r = stack[0];
        const float *w = pop->weight + b;
        for (int i = 0; i < m; i++)
            if (r[i] != 0.0)
                sum += w[i];
    }
    *weighted = sum;
    return SP_OK;
}
