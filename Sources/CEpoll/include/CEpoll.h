// CEpoll — the few Linux calls Glibc's Swift module does not expose (epoll, eventfd, accept4).
// Wrapped in plain functions with an unpacked event struct so Swift never sees the packed `epoll_event`.
#ifndef CEPOLL_H
#define CEPOLL_H

#include <stdint.h>
#include <sys/socket.h>

/// One readiness event: the `EPOLL*` bits that fired and the 64-bit token given at registration.
typedef struct {
    uint32_t events;
    uint64_t token;
} cepoll_event;

static const uint32_t CEPOLL_IN = 0x001;
static const uint32_t CEPOLL_PRI = 0x002;
static const uint32_t CEPOLL_OUT = 0x004;
static const uint32_t CEPOLL_ERR = 0x008;
static const uint32_t CEPOLL_HUP = 0x010;
static const uint32_t CEPOLL_RDHUP = 0x2000;
static const uint32_t CEPOLL_EXCLUSIVE = 1u << 28;
static const uint32_t CEPOLL_ET = 1u << 31;

/// epoll_create1(EPOLL_CLOEXEC). Returns the fd or -1 with errno set.
int cepoll_create(void);
/// epoll_ctl with `op` one of 1 (ADD), 2 (DEL), 3 (MOD). Returns 0 or -1 with errno set.
int cepoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token);
/// epoll_wait into `out` (at most `max`, capped at 1024). Returns the count or -1 with errno set.
int cepoll_wait(int epfd, cepoll_event *out, int max, int timeout_ms);
/// eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC). Returns the fd or -1.
int cepoll_eventfd(void);
/// Adds 1 to an eventfd counter (wakes a waiter). Returns 0 or -1.
int cepoll_eventfd_signal(int fd);
/// Drains an eventfd counter. Returns 0 or -1 (EAGAIN when it was already zero).
int cepoll_eventfd_drain(int fd);
/// accept4(..., SOCK_NONBLOCK | SOCK_CLOEXEC). Returns the fd or -1 with errno set.
int cepoll_accept(int fd, struct sockaddr *addr, socklen_t *len);

/// Names the calling thread (truncated to 15 bytes) for top/perf.
void cepoll_set_thread_name(const char *name);

#endif
