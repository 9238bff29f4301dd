// SPDX-License-Identifier: MIT
/*
 * matching.c - Apple's matching: a table (personality or client matching
 * dictionary) against a service, the personality catalogue, and the
 * matching queue that probes and starts drivers on registered services.
 *
 * Keys are checked in xnu's order (IOProviderClass, IONameMatch,
 * IOLocationMatch, IOPropertyMatch, IOPropertyExistsMatch, IOPathMatch,
 * IORegistryEntryID, IOMatchedServiceCountMatch, BSD keys), stopping at the
 * first failure; keys left over go to the service's match_property_table
 * op (IOResources handles IOResourceMatch there); IOParentMatch is tried
 * against the service and each provider above it.
 */
#include "runtime.h"
#include "regiter.h"

#include <IOKit/IOKitKeys.h>

/* ---- one table against one service ------------------------------------- */

/* Returns the matched string of value (borrowed) or NULL. */
static iok_object_t *name_match(iok_object_t *value, const char *name)
{
	if (iok_type(value) == IOK_TYPE_STRING)
		return strcmp(iok_string_cstr(value), name) == 0 ? value : NULL;
	if (iok_type(value) != IOK_TYPE_ARRAY)
		return NULL;
	for (size_t i = 0; i < iok_array_count(value); i++) {
		iok_object_t *e = iok_array_get(value, i);

		if (iok_type(e) == IOK_TYPE_STRING && strcmp(iok_string_cstr(e), name) == 0)
			return e;
	}
	return NULL;
}

/* Every key of one dictionary is present with an equal value. */
static bool props_contain(iok_object_t *props, iok_object_t *dict)
{
	if (iok_type(dict) != IOK_TYPE_DICTIONARY)
		return false;
	for (size_t i = 0; i < iok_dict_count(dict); i++) {
		const char *k = iok_string_cstr(iok_dict_key_at(dict, i));

		if (!iok_equal(iok_dict_get(props, k), iok_dict_value_at(dict, i)))
			return false;
	}
	return true;
}

static bool property_match(iok_object_t *props, iok_object_t *value)
{
	if (iok_type(value) == IOK_TYPE_DICTIONARY)
		return props_contain(props, value);
	if (iok_type(value) != IOK_TYPE_ARRAY)
		return false;
	for (size_t i = 0; i < iok_array_count(value); i++)
		if (props_contain(props, iok_array_get(value, i)))
			return true;
	return false;
}

static bool property_exists_match(iok_object_t *props, iok_object_t *value)
{
	if (iok_type(value) == IOK_TYPE_STRING)
		return iok_dict_get(props, iok_string_cstr(value)) != NULL;
	if (iok_type(value) != IOK_TYPE_ARRAY)
		return false;
	for (size_t i = 0; i < iok_array_count(value); i++) {
		iok_object_t *e = iok_array_get(value, i);

		if (iok_type(e) == IOK_TYPE_STRING && iok_dict_get(props, iok_string_cstr(e)))
			return true;
	}
	return false;
}

/* Number of active clients of s that carry an IOMatchCategory. */
static uint64_t matched_client_count(iok_service_t *s)
{
	uint64_t n = 0;
	size_t count;
	iok_service_t **kids = iok_service_copy_children(s, &count);

	for (size_t i = 0; i < count; i++) {
		iok_object_t *cat = iok_service_copy_property(kids[i], kIOMatchCategoryKey);

		if (cat && !(iok_service_state(kids[i]) & IOK_SVC_INACTIVE))
			n++;
		iok_release(cat);
		iok_service_release(kids[i]);
	}
	iok_free(kids);
	return n;
}

static bool path_match(iok_service_t *s, iok_object_t *value)
{
	iok_service_t *found;

	if (iok_type(value) != IOK_TYPE_STRING)
		return false;
	found = iok_service_from_path(iok_string_cstr(value));
	iok_service_release(found);
	return found == s;
}

static const char *const bsd_keys[] = {
	kIOBSDNameKey, kIOBSDMajorKey, kIOBSDMinorKey, kIOBSDUnitKey,
};

/*
 * The generic keys.  *done counts the keys consumed so that the caller
 * knows whether any are left for the family hook.
 */
static bool match_internal(iok_service_t *s, iok_object_t *table, iok_object_t *props,
			   bool changes_ok, size_t *done)
{
	iok_object_t *v;
	char buf[128];

	if ((v = iok_dict_get(table, kIOProviderClassKey))) {
		(*done)++;
		if (iok_type(v) != IOK_TYPE_STRING ||
		    !iok_service_conforms_to(s, iok_string_cstr(v)))
			return false;
	}
	if ((v = iok_dict_get(table, kIONameMatchKey))) {
		iok_object_t *matched;

		(*done)++;
		iok_service_get_name(s, buf, sizeof(buf));
		matched = name_match(v, buf);
		if (!matched)
			return false;
		if (changes_ok)
			iok_dict_set(table, kIONameMatchedKey, matched);
	}
	if ((v = iok_dict_get(table, kIOLocationMatchKey)) && iok_type(v) == IOK_TYPE_STRING) {
		(*done)++;
		iok_service_get_location(s, buf, sizeof(buf));
		if (strcmp(buf, iok_string_cstr(v)) != 0)
			return false;
	}
	if ((v = iok_dict_get(table, kIOPropertyMatchKey))) {
		(*done)++;
		if (!property_match(props, v))
			return false;
	}
	if ((v = iok_dict_get(table, kIOPropertyExistsMatchKey))) {
		(*done)++;
		if (!property_exists_match(props, v))
			return false;
	}
	if ((v = iok_dict_get(table, kIOPathMatchKey))) {
		(*done)++;
		if (!path_match(s, v))
			return false;
	}
	if ((v = iok_dict_get(table, kIORegistryEntryIDKey))) {
		(*done)++;
		if (iok_type(v) != IOK_TYPE_NUMBER || iok_number_value(v) != s->id)
			return false;
	}
	if ((v = iok_dict_get(table, kIOMatchedServiceCountKey))) {
		(*done)++;
		if (iok_type(v) != IOK_TYPE_NUMBER || iok_number_value(v) != matched_client_count(s))
			return false;
	}
	for (size_t i = 0; i < sizeof(bsd_keys) / sizeof(bsd_keys[0]); i++) {
		if ((v = iok_dict_get(table, bsd_keys[i]))) {
			(*done)++;
			if (!iok_equal(iok_dict_get(props, bsd_keys[i]), v))
				return false;
		}
	}
	return true;
}

/* Keys that are not matching criteria of their own. */
static bool is_passive_key(const char *k)
{
	static const char *const passive[] = {
		kIOMatchCategoryKey, kIOProbeScoreKey, kIOClassKey, kIOParentMatchKey,
		kIONameMatchedKey, kIOBundleIdentifierKey, kIOUserClientClassKey,
		kIOLocationMatchKey, kIOKitDebugKey,
	};

	for (size_t i = 0; i < sizeof(passive) / sizeof(passive[0]); i++)
		if (strcmp(k, passive[i]) == 0)
			return true;
	return false;
}

static size_t criteria_count(iok_object_t *table)
{
	size_t n = 0;

	for (size_t i = 0; i < iok_dict_count(table); i++)
		if (!is_passive_key(iok_string_cstr(iok_dict_key_at(table, i))))
			n++;
	return n;
}

/*
 * IOParentMatch tables nested inside IOParentMatch tables: each level tries
 * every provider up the plane, so a table nested k deep over a chain of h
 * providers costs C(h + k, k) matches.  A client's table must not buy that
 * much of the host's time: deeper nesting does not match.
 */
#define IOK_PARENT_MATCH_MAX 4

static bool match_table(iok_service_t *s, iok_object_t *table, bool changes_ok, int32_t *score,
			unsigned nesting);

bool iok_match_table(iok_service_t *s, iok_object_t *table, bool changes_ok, int32_t *score)
{
	return match_table(s, table, changes_ok, score, 0);
}

static bool match_table(iok_service_t *s, iok_object_t *table, bool changes_ok, int32_t *score,
			unsigned nesting)
{
	bool (*hook)(iok_service_t *, iok_object_t *, int32_t *);
	iok_object_t *props, *parent_table;
	size_t done = 0;
	bool ok;

	if (!s || iok_type(table) != IOK_TYPE_DICTIONARY)
		return false;
	props = iok_service_copy_properties(s);
	if (!props)
		return false;
	ok = match_internal(s, table, props, changes_ok, &done);
	iok_release(props);
	if (!ok)
		return false;

	/* An IOLocationMatch given as a string was consumed above. */
	if (iok_type(iok_dict_get(table, kIOLocationMatchKey)) == IOK_TYPE_STRING)
		done--;
	if (criteria_count(table) > done) {
		hook = IOK_OP(s->cls, match_property_table);
		if (hook && !hook(s, table, score))
			return false;
	}

	parent_table = iok_dict_get(table, kIOParentMatchKey);
	if (parent_table) {
		iok_service_t *p;
		bool found = false;

		if (iok_type(parent_table) != IOK_TYPE_DICTIONARY || nesting >= IOK_PARENT_MATCH_MAX)
			return false;
		for (p = iok_service_retain(s); p && !found;) {
			iok_service_t *next;

			found = match_table(p, parent_table, false, NULL, nesting + 1);
			iok_registry_rdlock();
			next = iok_service_retain(p->provider);
			iok_registry_unlock();
			iok_service_release(p);
			p = next;
		}
		iok_service_release(p);
		if (!found)
			return false;
	}
	return true;
}

/* ---- getMatchingServices ---------------------------------------------- */

struct collect_ctx {
	iok_service_t **list;
	size_t n, cap;
	bool failed;
};

static bool collect_matched(iok_service_t *s, void *arg)
{
	struct collect_ctx *c = arg;

	if ((s->state & (IOK_SVC_MATCHED | IOK_SVC_INACTIVE)) != IOK_SVC_MATCHED)
		return true;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		iok_service_t **l = iok_realloc(c->list, cap * sizeof(*l));

		if (!l) {
			c->failed = true;
			return false;
		}
		c->list = l;
		c->cap = cap;
	}
	c->list[c->n++] = iok_service_retain(s);
	return true;
}

iok_object_t *iok_copy_matching_services(iok_object_t *table)
{
	struct collect_ctx c = { 0 };
	iok_object_t *out = iok_array_create(4);

	if (!out)
		return NULL;
	/* Snapshot the candidates first: matching reads properties and
	 * paths, which take locks of their own. */
	iok_registry_walk(collect_matched, &c);
	for (size_t i = 0; i < c.n; i++) {
		if (!c.failed && iok_match_table(c.list[i], table, false, NULL) &&
		    iok_array_append(out, iok_service_object(c.list[i])))
			c.failed = true;
		iok_service_release(c.list[i]);
	}
	iok_free(c.list);
	if (c.failed) {
		iok_release(out);
		return NULL;
	}
	return out;
}

/* ---- the personality catalogue ---------------------------------------- */

struct catalogue_entry {
	const struct iok_driver *driver;
	iok_object_t *personality;   /* dictionary */
};

static iok_mutex_t catalogue_lock = { { 0 } };
static bool catalogue_lock_ready;
static struct catalogue_entry *catalogue;
static size_t catalogue_n;

static void catalogue_lock_init(void)
{
	/* Called from iok_runtime_init's thread before any concurrency. */
	if (!catalogue_lock_ready) {
		iok_mutex_init(&catalogue_lock);
		catalogue_lock_ready = true;
	}
}

int iok_catalogue_add(const struct iok_driver *driver, iok_object_t *personalities)
{
	size_t n = iok_array_count(personalities);
	struct catalogue_entry *grown;

	catalogue_lock_init();
	for (size_t i = 0; i < n; i++)
		if (iok_type(iok_array_get(personalities, i)) != IOK_TYPE_DICTIONARY)
			return -EINVAL;
	iok_mutex_lock(&catalogue_lock);
	grown = iok_realloc(catalogue, (catalogue_n + n) * sizeof(*catalogue));
	if (!grown) {
		iok_mutex_unlock(&catalogue_lock);
		return -ENOMEM;
	}
	catalogue = grown;
	for (size_t i = 0; i < n; i++) {
		iok_object_t *p = iok_copy(iok_array_get(personalities, i));

		if (!p)
			break;
		if (driver && driver->bundle_id && !iok_dict_get(p, kIOBundleIdentifierKey))
			iok_dict_set_string(p, kIOBundleIdentifierKey, driver->bundle_id);
		catalogue[catalogue_n++] = (struct catalogue_entry){ driver, p };
	}
	iok_mutex_unlock(&catalogue_lock);
	return 0;
}

void iok_catalogue_reset(void)
{
	catalogue_lock_init();
	iok_mutex_lock(&catalogue_lock);
	for (size_t i = 0; i < catalogue_n; i++)
		iok_release(catalogue[i].personality);
	iok_free(catalogue);
	catalogue = NULL;
	catalogue_n = 0;
	iok_mutex_unlock(&catalogue_lock);
}

void iok_catalogue_remove(const struct iok_driver *driver)
{
	size_t k = 0;

	catalogue_lock_init();
	iok_mutex_lock(&catalogue_lock);
	for (size_t i = 0; i < catalogue_n; i++) {
		if (catalogue[i].driver == driver)
			iok_release(catalogue[i].personality);
		else
			catalogue[k++] = catalogue[i];
	}
	catalogue_n = k;
	iok_mutex_unlock(&catalogue_lock);
}

/* A copy of every personality (each retained) for one matching pass. */
static iok_object_t *catalogue_snapshot(void)
{
	iok_object_t *out = iok_array_create(8);

	catalogue_lock_init();
	if (!out)
		return NULL;
	iok_mutex_lock(&catalogue_lock);
	for (size_t i = 0; i < catalogue_n; i++)
		iok_array_append(out, catalogue[i].personality);
	iok_mutex_unlock(&catalogue_lock);
	return out;
}

/* The bundle of the driver whose class list holds cls (for
 * IOObjectCopyBundleIdentifierForClass). */
int iok_catalogue_class_bundle(const iok_class_t *cls, char *buf, size_t len)
{
	int ret = -ENOENT;

	catalogue_lock_init();
	iok_mutex_lock(&catalogue_lock);
	for (size_t i = 0; ret && i < catalogue_n; i++) {
		const struct iok_driver *d = catalogue[i].driver;

		for (size_t k = 0; ret && d->classes && d->classes[k]; k++) {
			if (d->classes[k] == cls) {
				snprintf(buf, len, "%s", d->bundle_id);
				ret = 0;
			}
		}
	}
	iok_mutex_unlock(&catalogue_lock);
	return ret;
}

/* ---- probing and starting drivers on one nub -------------------------- */

struct candidate {
	iok_object_t *table;   /* the personality copy the driver receives */
	const char *category;  /* inside table */
	int32_t score;
	iok_service_t *inst;
};

static const char *category_of(iok_object_t *table)
{
	const char *c = iok_string_cstr(iok_dict_get(table, kIOMatchCategoryKey));

	return c ? c : kIODefaultMatchCategoryKey;
}

static bool category_taken(iok_service_t *nub, const char *category)
{
	size_t n;
	iok_service_t **kids = iok_service_copy_children(nub, &n);
	bool taken = false;

	for (size_t i = 0; i < n; i++) {
		iok_object_t *c = iok_service_copy_property(kids[i], kIOMatchCategoryKey);

		if (c && !(iok_service_state(kids[i]) & IOK_SVC_INACTIVE) &&
		    strcmp(iok_string_cstr(c), category) == 0)
			taken = true;
		iok_release(c);
		iok_service_release(kids[i]);
	}
	iok_free(kids);
	return taken;
}

static int32_t number_or(iok_object_t *v, int32_t dflt)
{
	return iok_type(v) == IOK_TYPE_NUMBER ? (int32_t)iok_number_value(v) : dflt;
}

/* Sort by score, highest first; stable (insertion sort, lists are short). */
static void sort_candidates(struct candidate *c, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct candidate t = c[i];
		size_t j = i;

		for (; j > 0 && c[j - 1].score < t.score; j--)
			c[j] = c[j - 1];
		c[j] = t;
	}
}

static void discard_candidate(struct candidate *c)
{
	if (c->inst) {
		iok_service_detach(c->inst);
		iok_service_release(c->inst);
		c->inst = NULL;
	}
	iok_release(c->table);
	c->table = NULL;
}

/* Instantiates and probes; false drops the candidate. */
static bool probe_candidate(iok_service_t *nub, struct candidate *c)
{
	const char *cls = iok_string_cstr(iok_dict_get(c->table, kIOClassKey));
	iok_service_t *(*probe)(iok_service_t *, iok_service_t *, int32_t *);

	c->inst = iok_service_create(cls, c->table);
	if (!c->inst) {
		iok_log(IOK_LOG_WARNING, "matching: cannot instantiate class %s", cls ? cls : "?");
		return false;
	}
	if (iok_service_attach(c->inst, nub))
		return false;
	probe = IOK_OP(c->inst->cls, probe);
	return !probe || probe(c->inst, nub, &c->score) != NULL;
}

static bool start_candidate(iok_service_t *nub, struct candidate *c)
{
	bool (*start)(iok_service_t *, iok_service_t *) = IOK_OP(c->inst->cls, start);

	iok_service_set_string(c->inst, kIOMatchCategoryKey, c->category);
	iok_service_set_number(c->inst, kIOProbeScoreKey, (uint64_t)(int64_t)c->score, 32);
	if (start && !start(c->inst, nub)) {
		iok_log(IOK_LOG_INFO, "matching: %s failed to start", c->inst->cls->name);
		return false;
	}
	iok_registry_wrlock();
	c->inst->state |= IOK_SVC_STARTED;
	iok_registry_unlock();
	return true;
}

/* Starts the best candidate of one category; discards the rest. */
static void start_category(iok_service_t *nub, struct candidate *c, size_t n, const char *category)
{
	bool started = false;

	for (size_t i = 0; i < n; i++) {
		if (!c[i].table || strcmp(c[i].category, category) != 0)
			continue;
		if (!started && probe_candidate(nub, &c[i]) && start_candidate(nub, &c[i])) {
			started = true;
			iok_service_release(c[i].inst);   /* the plane keeps it */
			c[i].inst = NULL;
			iok_release(c[i].table);
			c[i].table = NULL;
			continue;
		}
		discard_candidate(&c[i]);
	}
}

static void probe_candidates(iok_service_t *nub)
{
	iok_object_t *all = catalogue_snapshot();
	size_t n = iok_array_count(all), used = 0;
	struct candidate *c = n ? iok_zalloc(n * sizeof(*c)) : NULL;

	for (size_t i = 0; c && i < n; i++) {
		iok_object_t *p = iok_array_get(all, i);
		iok_object_t *table;
		int32_t score;

		if (!iok_dict_get(p, kIOProviderClassKey) || !iok_dict_get(p, kIOClassKey))
			continue;
		if (category_taken(nub, category_of(p)))
			continue;
		table = iok_copy(p);
		score = number_or(iok_dict_get(p, kIOProbeScoreKey), 0);
		if (!table || !iok_match_table(nub, table, true, &score)) {
			iok_release(table);
			continue;
		}
		c[used++] = (struct candidate){ table, category_of(table), score, NULL };
	}
	sort_candidates(c, used);
	for (size_t i = 0; i < used; i++)
		if (c[i].table && !category_taken(nub, c[i].category))
			start_category(nub, c, used, c[i].category);
	for (size_t i = 0; i < used; i++)
		discard_candidate(&c[i]);
	iok_free(c);
	iok_release(all);
}

/* ---- the matching queue ----------------------------------------------- */

/*
 * One thread at a time runs matching (like xnu's single matching thread).
 * A registration made by driver code during matching (start() registering
 * a child) is queued and handled by the same pass before the outermost
 * iok_service_register returns; other threads wait for the queue to empty.
 */
static iok_mutex_t queue_lock;
static iok_cond_t queue_idle;
static bool queue_ready;
static iok_service_t **queue;
static size_t queue_n, queue_cap;
static uintptr_t matcher;   /* thread running matching, 0 if none */

void iok_matching_init(void)
{
	if (queue_ready)
		return;
	iok_mutex_init(&queue_lock);
	iok_cond_init(&queue_idle);
	catalogue_lock_init();
	queue_ready = true;
}

void iok_matching_enqueue(iok_service_t *s)
{
	iok_matching_init();
	iok_mutex_lock(&queue_lock);
	if (queue_n == queue_cap) {
		size_t cap = queue_cap ? queue_cap * 2 : 16;
		iok_service_t **q = iok_realloc(queue, cap * sizeof(*q));

		if (!q) {
			iok_mutex_unlock(&queue_lock);
			iok_log(IOK_LOG_ERR, "matching: out of memory, %s not matched",
				s->cls->name);
			return;
		}
		queue = q;
		queue_cap = cap;
	}
	queue[queue_n++] = iok_service_retain(s);
	iok_mutex_unlock(&queue_lock);
}

void iok_matching_drain(void)
{
	uintptr_t me = iok_thread_id();

	iok_matching_init();
	iok_mutex_lock(&queue_lock);
	if (matcher == me) {
		iok_mutex_unlock(&queue_lock);
		return;   /* nested: the running pass picks it up */
	}
	while (matcher)
		iok_cond_wait(&queue_idle, &queue_lock);
	matcher = me;
	while (queue_n) {
		iok_service_t *s = queue[0];

		memmove(queue, queue + 1, --queue_n * sizeof(*queue));
		iok_mutex_unlock(&queue_lock);
		if (!(iok_service_state(s) & IOK_SVC_INACTIVE)) {
			bool first;

			probe_candidates(s);
			iok_registry_wrlock();
			first = !(s->state & (IOK_SVC_MATCHED | IOK_SVC_INACTIVE));
			s->state |= IOK_SVC_MATCHED;
			iok_registry_unlock();
			if (first)
				iok_notify_matching(s, IOK_NOTIFY_MATCHED);
		}
		iok_service_release(s);
		iok_mutex_lock(&queue_lock);
	}
	matcher = 0;
	iok_cond_broadcast(&queue_idle);
	iok_mutex_unlock(&queue_lock);
}

int iok_matching_wait_quiet(uint64_t timeout_ns)
{
	uint64_t deadline = timeout_ns == UINT64_MAX ? UINT64_MAX : iok_now_ns() + timeout_ns;
	int ret = 0;

	iok_matching_init();
	iok_mutex_lock(&queue_lock);
	while ((matcher || queue_n) && matcher != iok_thread_id()) {
		if (deadline == UINT64_MAX) {
			iok_cond_wait(&queue_idle, &queue_lock);
		} else if (iok_cond_timedwait(&queue_idle, &queue_lock, deadline) &&
			   iok_now_ns() >= deadline) {
			ret = -ETIMEDOUT;
			break;
		}
	}
	iok_mutex_unlock(&queue_lock);
	return ret;
}

bool iok_matching_busy(void)
{
	bool busy;

	iok_matching_init();
	iok_mutex_lock(&queue_lock);
	busy = matcher || queue_n;
	iok_mutex_unlock(&queue_lock);
	return busy;
}

/* ---- driver registration ---------------------------------------------- */

IOK_EXPORT iok_object_t *iok_resource_personalities(const char *const *class_names)
{
	iok_object_t *list = iok_array_create(2);

	for (size_t i = 0; list && class_names && class_names[i]; i++) {
		iok_object_t *p = iok_dict_create(4);

		if (!p || iok_dict_set_string(p, kIOClassKey, class_names[i]) ||
		    iok_dict_set_string(p, kIOProviderClassKey, kIOResourcesClass) ||
		    iok_dict_set_string(p, kIOResourceMatchKey, "IOKit") ||
		    iok_dict_set_string(p, kIOMatchCategoryKey, class_names[i]) ||
		    iok_array_append(list, p)) {
			iok_release(list);
			list = NULL;
		}
		iok_release(p);
	}
	return list;
}

static bool enqueue_registered(iok_service_t *s, void *ctx)
{
	if ((s->state & (IOK_SVC_REGISTERED | IOK_SVC_INACTIVE)) == IOK_SVC_REGISTERED)
		iok_matching_enqueue(s);
	return true;
}

IOK_EXPORT int iok_driver_register(const struct iok_driver *driver)
{
	iok_object_t *personalities;
	size_t n_classes = 0;
	int ret;

	if (!driver || driver->abi_version != IOK_DRIVER_ABI_VERSION || !driver->bundle_id)
		return -EINVAL;
	for (; driver->classes && driver->classes[n_classes]; n_classes++) {
		ret = iok_class_register(driver->classes[n_classes]);
		if (ret)
			goto err_unregister;
	}
	personalities = driver->personalities ? driver->personalities() : iok_array_create(0);
	if (!personalities || iok_type(personalities) != IOK_TYPE_ARRAY) {
		iok_release(personalities);
		ret = -EINVAL;
		goto err_unregister;
	}
	ret = iok_catalogue_add(driver, personalities);
	iok_release(personalities);
	if (ret)
		goto err_unregister;
	iok_registry_walk(enqueue_registered, NULL);
	iok_matching_drain();
	return 0;

err_unregister:
	while (n_classes--)
		iok_class_unregister(driver->classes[n_classes]);
	return ret;
}
