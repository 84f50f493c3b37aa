// SPDX-License-Identifier: GPL-2.0
/* The supervisor of bootsand's dnsmasq; see dhcp_run.h. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "dhcp/dhcp_run.h"
#include "dhcp/dhcp_store.h"
#include "dhcp/dnsmasq_conf.h"
#include "dhcp/ipxe_files.h"
#include "lib/bootsand.h"
#include "lib/log.h"

#define TFTP_DIR_DEFAULT "/run/bootsand/tftp"
#define BACKOFF_MAX 30
/* A dnsmasq that ran this long was healthy: the next start is at once. */
#define HEALTHY_SECONDS 60

struct dhcp_run {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool stopping;
	bool changed;			/* new settings since the last start */
	struct dhcp_settings want;
	char dnsmasq[4096], ipxe_dir[4096], tftp_dir[4096];
	char conf_path[4200], lease_path[4200];

	/* status, under lock */
	pid_t pid;
	unsigned long starts;
	char last_exit[64];
	char error[512];
};

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The user dnsmasq drops to: nobody when there is one (not in a bare VM). */
static const char *run_user(void)
{
	return getpwnam("nobody") ? "nobody" : "root";
}

static int write_file(const char *path, const char *text)
{
	char tmp[4300];
	size_t len = strlen(text);
	int fd, err = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		err = errno ? -errno : -EIO;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

/* Write the configuration and the TFTP root for @s. 0, or -1 with r->error set. */
static int prepare(struct dhcp_run *r, const struct dhcp_settings *s)
{
	struct dnsmasq_paths p = {
		.lease_file = r->lease_path,
		.tftp_root = r->tftp_dir,
		.user = run_user(),
	};
	char conf[8192], why[512];
	int err;

	if (dnsmasq_conf_render(s, &p, conf, sizeof(conf), why, sizeof(why)))
		goto fail;
	if (s->tftp) {
		/* /run/bootsand for the default; a given folder's parent must exist. */
		if (!strcmp(r->tftp_dir, TFTP_DIR_DEFAULT) && !mkdir("/run/bootsand", 0755))
			chmod("/run/bootsand", 0755);	/* past bootsand's umask 077 */
		err = ipxe_files_fill_tftp(r->ipxe_dir, r->tftp_dir, why, sizeof(why));
		if (err)
			goto fail;
		if (why[0])
			log_warn("DHCP: TFTP serves what there is: %s", why);
	}
	err = write_file(r->conf_path, conf);
	if (err) {
		snprintf(why, sizeof(why), "writing %.300s: %s", r->conf_path, strerror(-err));
		goto fail;
	}
	return 0;
fail:
	pthread_mutex_lock(&r->lock);
	snprintf(r->error, sizeof(r->error), "%s", why);
	pthread_mutex_unlock(&r->lock);
	log_err("DHCP: %s", why);
	return -1;
}

static pid_t spawn(struct dhcp_run *r)
{
	char conf_opt[4300];
	char *argv[] = {
		r->dnsmasq, "--keep-in-foreground", "--log-facility=-", "--pid-file",
		conf_opt, NULL,
	};
	pid_t pid, parent = getpid();
	sigset_t none;

	snprintf(conf_opt, sizeof(conf_opt), "--conf-file=%s", r->conf_path);
	sigemptyset(&none);
	pid = fork();
	if (pid == 0) {
		/* Only async-signal-safe calls here: bootsand has threads. */
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* dnsmasq must not outlive bootsand (nor this thread). */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)	/* bootsand ended before prctl() */
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* The exit status of @st as words, into @buf. */
static void describe_exit(int st, char *buf, size_t size)
{
	if (WIFEXITED(st))
		snprintf(buf, size, WEXITSTATUS(st) == 127 ? "exit 127 (cannot run it?)" :
			 "exit %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, size, "signal %s", strsignal(WTERMSIG(st)));
	else
		snprintf(buf, size, "status %d", st);
}

static void stop_child(struct dhcp_run *r, pid_t pid)
{
	int st;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 50; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			goto reaped;
		usleep(100 * 1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
reaped:
	pthread_mutex_lock(&r->lock);
	r->pid = 0;
	describe_exit(st, r->last_exit, sizeof(r->last_exit));
	pthread_mutex_unlock(&r->lock);
}

/* Wait on the condition until @until (monotonic), or a change or stop. */
static void wait_until(struct dhcp_run *r, double until)
{
	struct timespec ts;
	double t = until - mono();

	if (t <= 0)
		return;
	if (t > 0.2)
		t = 0.2;	/* also polls the child */
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)t;
	ts.tv_nsec += (long)((t - (double)(time_t)t) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&r->cond, &r->lock, &ts);
}

static void *supervise(void *arg)
{
	struct dhcp_run *r = arg;
	struct dhcp_settings s;
	double started = 0, next_start = 0;
	unsigned int backoff = 1;
	pid_t pid = 0;
	int st;

	dhcp_settings_default(&s);
	pthread_mutex_lock(&r->lock);
	while (!r->stopping) {
		if (r->changed) {
			r->changed = false;
			s = r->want;
			pthread_mutex_unlock(&r->lock);
			stop_child(r, pid);
			pid = 0;
			backoff = 1;
			next_start = 0;
			pthread_mutex_lock(&r->lock);
			r->error[0] = '\0';
			continue;
		}
		if (pid > 0) {
			if (waitpid(pid, &st, WNOHANG) == pid) {
				describe_exit(st, r->last_exit, sizeof(r->last_exit));
				snprintf(r->error, sizeof(r->error), "dnsmasq ended (%s); see "
					 "bootsand's log for its reason", r->last_exit);
				log_warn("DHCP: dnsmasq ended (%s), starting it again in %u s",
					 r->last_exit, backoff);
				r->pid = pid = 0;
				if (mono() - started >= HEALTHY_SECONDS)
					backoff = 1;
				next_start = mono() + backoff;
				backoff = backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : backoff * 2;
			} else {
				wait_until(r, mono() + 1);
			}
			continue;
		}
		if (s.mode == DHCP_MODE_OFF) {
			pthread_cond_wait(&r->cond, &r->lock);
			continue;
		}
		if (mono() < next_start) {
			wait_until(r, next_start);
			continue;
		}
		pthread_mutex_unlock(&r->lock);
		if (prepare(r, &s)) {
			pid = 0;
		} else {
			pid = spawn(r);
			if (pid < 0) {
				log_err("DHCP: cannot start %s: %s", r->dnsmasq, strerror(errno));
				pid = 0;
			} else {
				log_info("DHCP: dnsmasq (pid %d) serving %s mode on %s",
					 (int)pid, dhcp_mode_name(s.mode), s.interface);
			}
		}
		pthread_mutex_lock(&r->lock);
		started = mono();
		if (pid > 0) {
			r->pid = pid;
			r->starts++;
			r->error[0] = '\0';
		} else {
			/* A bad folder or configuration: try again later, or on new settings. */
			next_start = mono() + backoff;
			backoff = backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : backoff * 2;
		}
	}
	pthread_mutex_unlock(&r->lock);
	stop_child(r, pid);
	return NULL;
}

struct dhcp_run *dhcp_run_start(struct bsd *d, const struct dhcp_run_opts *o)
{
	struct dhcp_run *r = calloc(1, sizeof(*r));
	char why[512];

	if (!r)
		return NULL;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	snprintf(r->dnsmasq, sizeof(r->dnsmasq), "%s", o->dnsmasq ?: DNSMASQ_DEFAULT);
	snprintf(r->ipxe_dir, sizeof(r->ipxe_dir), "%s", o->ipxe_dir ?: IPXE_DIR_DEFAULT);
	snprintf(r->tftp_dir, sizeof(r->tftp_dir), "%s", o->tftp_dir ?: TFTP_DIR_DEFAULT);
	snprintf(r->conf_path, sizeof(r->conf_path), "%s/dnsmasq.conf", d->state_dir);
	snprintf(r->lease_path, sizeof(r->lease_path), "%s/dnsmasq.leases", d->state_dir);
	if (dhcp_store_get(d->store, &r->want, why, sizeof(why))) {
		log_err("DHCP: %s; DHCP stays off until new settings", why);
		snprintf(r->error, sizeof(r->error), "%s", why);
		dhcp_settings_default(&r->want);
	}
	r->changed = true;
	if (pthread_create(&r->thread, NULL, supervise, r)) {
		free(r);
		return NULL;
	}
	return r;
}

void dhcp_run_apply(struct dhcp_run *r, const struct dhcp_settings *s)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->want = *s;
	r->changed = true;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

json_t *dhcp_run_status(struct dhcp_run *r)
{
	json_t *o = json_object();

	if (!o || !r)
		return o;
	pthread_mutex_lock(&r->lock);
	json_object_set_new(o, "mode", json_string(dhcp_mode_name(r->want.mode)));
	json_object_set_new(o, "running", json_boolean(r->pid > 0));
	json_object_set_new(o, "pid", r->pid > 0 ? json_integer(r->pid) : json_null());
	json_object_set_new(o, "starts", json_integer((json_int_t)r->starts));
	json_object_set_new(o, "last_exit", r->last_exit[0] ? json_string(r->last_exit) :
			    json_null());
	json_object_set_new(o, "error", r->error[0] ? json_string(r->error) : json_null());
	json_object_set_new(o, "dnsmasq", json_string(r->dnsmasq));
	json_object_set_new(o, "ipxe_dir", json_string(r->ipxe_dir));
	json_object_set_new(o, "tftp_dir", json_string(r->tftp_dir));
	pthread_mutex_unlock(&r->lock);
	return o;
}

void dhcp_run_stop(struct dhcp_run *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->stopping = true;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->cond);
	free(r);
}
