/*
 * compat/liburing.h: mediasoup's DepLibUring.cpp targets liburing 2.5, Debian
 * bookworm has 2.3. Include the real header, then add the two things 2.3
 * lacks (the version API and io_uring_prep_sendto()).
 */
#ifndef MS_COMPAT_LIBURING_H
#define MS_COMPAT_LIBURING_H

#include_next <liburing.h>

#ifndef IO_URING_VERSION_MAJOR /* liburing < 2.4 has no version API */
#define MS_COMPAT_LIBURING_PRE_2_4 1
static inline int io_uring_major_version(void) { return 2; }
static inline int io_uring_minor_version(void) { return 3; }
#endif

#ifdef MS_COMPAT_LIBURING_PRE_2_4
/* Same body as liburing 2.5's io_uring_prep_sendto() (kernel >= 6.0). */
static inline void io_uring_prep_sendto(struct io_uring_sqe *sqe, int sockfd,
                                        const void *buf, size_t len, int flags,
                                        const struct sockaddr *addr,
                                        socklen_t addrlen)
{
	io_uring_prep_send(sqe, sockfd, buf, len, flags);
	io_uring_prep_send_set_addr(sqe, addr, addrlen);
}
#endif

#endif
