/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * For selftests that run one of the project's programs in the VM
 * (vcmdqctl_test, vcmdq_bench_test): run it as root, as an unprivileged
 * user or as root without CAP_SYS_ADMIN, capture its output, and parse the
 * JSON it prints with a small strict parser.
 */
#ifndef _VCMDQ_TOOL_UTILS_H
#define _VCMDQ_TOOL_UTILS_H

#include <ctype.h>
#include <grp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

/* An unprivileged user for the access tests. */
#define TOOL_UID 4243
#define OUT_MAX (256 * 1024)

/* ---- running a tool ------------------------------------------------------- */

struct run {
	int status;	/* exit status, or -1 when it did not exit */
	char out[OUT_MAX];
	char err[4096];
};

enum { AS_ROOT, AS_USER, AS_ROOT_NO_ADMIN };

static inline void read_all(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
}

/*
 * Run @prog (found on PATH) with @argv (NULL-terminated, without the
 * program name) as @as; its exit status, stdout and stderr land in @r.
 */
static inline void run_tool(struct run *r, int as, const char *prog,
			    const char *const *argv)
{
	const char *args[16] = { prog };
	int out = memfd_create("out", MFD_CLOEXEC);
	int err = memfd_create("err", MFD_CLOEXEC);
	int i, status;
	pid_t pid;

	for (i = 0; argv[i] && i < 14; i++)
		args[i + 1] = argv[i];
	r->status = -1;
	r->out[0] = r->err[0] = '\0';
	if (out < 0 || err < 0)
		return;
	pid = fork();
	if (pid < 0)
		return;
	if (!pid) {
		dup2(out, 1);
		dup2(err, 2);
		if (as == AS_USER &&
		    (setgroups(0, NULL) || setresgid(TOOL_UID, TOOL_UID, TOOL_UID) ||
		     setresuid(TOOL_UID, TOOL_UID, TOOL_UID)))
			_exit(126);
		/* Out of the bounding set, so exec does not give it back. */
		if (as == AS_ROOT_NO_ADMIN &&
		    prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0))
			_exit(126);
		execvp(prog, (char *const *)args);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		r->status = WEXITSTATUS(status);
	read_all(out, r->out, sizeof(r->out));
	read_all(err, r->err, sizeof(r->err));
	close(out);
	close(err);
}

/* ---- a strict JSON parser: enough to check the tools' output ------------- */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
	enum jtype t;
	bool b;
	double num;
	char *s;
	int n;
	char **keys;		/* J_OBJ */
	struct jval **items;	/* J_ARR, J_OBJ */
};

static inline void jfree(struct jval *v)
{
	int i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++) {
		if (v->keys)
			free(v->keys[i]);
		jfree(v->items[i]);
	}
	free(v->keys);
	free(v->items);
	free(v->s);
	free(v);
}

static inline void jws(const char **p)
{
	while (**p == ' ' || **p == '\n' || **p == '\t' || **p == '\r')
		(*p)++;
}

static inline char *jparse_str(const char **p)
{
	size_t len = 0, cap = 16;
	char *s = malloc(cap);

	if (!s || **p != '"') {
		free(s);
		return NULL;
	}
	for ((*p)++; **p != '"'; (*p)++) {
		char c = **p;

		if ((unsigned char)c < 0x20) {
			free(s);
			return NULL;
		}
		if (c == '\\') {
			(*p)++;
			switch (**p) {
			case '"': case '\\': case '/': c = **p; break;
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u': {
				unsigned int u;

				if (sscanf(*p + 1, "%4x", &u) != 1 || u > 0x7f) {
					free(s);
					return NULL;
				}
				c = u;
				*p += 4;
				break;
			}
			default:
				free(s);
				return NULL;
			}
		}
		if (len + 2 > cap) {
			char *t = realloc(s, cap *= 2);

			if (!t) {
				free(s);
				return NULL;
			}
			s = t;
		}
		s[len++] = c;
	}
	(*p)++;
	s[len] = '\0';
	return s;
}

static inline struct jval *jparse(const char **p);

static inline bool jadd(struct jval *v, char *key, struct jval *item)
{
	struct jval **items = realloc(v->items, (v->n + 1) * sizeof(*items));

	if (!items)
		return false;
	v->items = items;
	if (v->t == J_OBJ) {
		char **keys = realloc(v->keys, (v->n + 1) * sizeof(*keys));

		if (!keys)
			return false;
		v->keys = keys;
		v->keys[v->n] = key;
	}
	v->items[v->n++] = item;
	return true;
}

static inline struct jval *jparse(const char **p)
{
	struct jval *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	jws(p);
	if (**p == '{' || **p == '[') {
		char close = **p == '{' ? '}' : ']';

		v->t = **p == '{' ? J_OBJ : J_ARR;
		(*p)++;
		jws(p);
		if (**p == close) {
			(*p)++;
			return v;
		}
		for (;;) {
			char *key = NULL;
			struct jval *item;

			jws(p);
			if (v->t == J_OBJ) {
				key = jparse_str(p);
				jws(p);
				if (!key || **p != ':') {
					free(key);
					goto bad;
				}
				(*p)++;
			}
			item = jparse(p);
			if (!item || !jadd(v, key, item)) {
				free(key);
				jfree(item);
				goto bad;
			}
			jws(p);
			if (**p == close) {
				(*p)++;
				return v;
			}
			if (**p != ',')
				goto bad;
			(*p)++;
		}
	}
	if (**p == '"') {
		v->t = J_STR;
		v->s = jparse_str(p);
		if (!v->s)
			goto bad;
		return v;
	}
	if (!strncmp(*p, "true", 4) || !strncmp(*p, "false", 5)) {
		v->t = J_BOOL;
		v->b = **p == 't';
		*p += v->b ? 4 : 5;
		return v;
	}
	if (!strncmp(*p, "null", 4)) {
		v->t = J_NULL;
		*p += 4;
		return v;
	}
	if (**p == '-' || isdigit((unsigned char)**p)) {
		char *end;

		v->t = J_NUM;
		v->num = strtod(*p, &end);
		*p = end;
		return v;
	}
bad:
	jfree(v);
	return NULL;
}

/* A whole document, nothing after it but white space. */
static inline struct jval *jdoc(const char *text)
{
	const char *p = text;
	struct jval *v = jparse(&p);

	jws(&p);
	if (v && *p) {
		jfree(v);
		return NULL;
	}
	return v;
}

static inline struct jval *jget(const struct jval *o, const char *key)
{
	int i;

	if (!o || o->t != J_OBJ)
		return NULL;
	for (i = 0; i < o->n; i++)
		if (!strcmp(o->keys[i], key))
			return o->items[i];
	return NULL;
}

/* A number member as a long, or -1 when absent or not a number. */
static inline long jnum(const struct jval *o, const char *key)
{
	const struct jval *v = jget(o, key);

	return v && v->t == J_NUM ? (long)v->num : -1;
}

static inline const char *jstr(const struct jval *o, const char *key)
{
	const struct jval *v = jget(o, key);

	return v && v->t == J_STR ? v->s : NULL;
}

static inline int jbool(const struct jval *o, const char *key)
{
	const struct jval *v = jget(o, key);

	return v && v->t == J_BOOL ? v->b : -1;
}

/* The array member @key of the document root. */
static inline const struct jval *jarr(const struct jval *doc, const char *key)
{
	const struct jval *v = jget(doc, key);

	return v && v->t == J_ARR ? v : NULL;
}

#endif /* _VCMDQ_TOOL_UTILS_H */
