/*
 * compat/srtp.h: mediasoup's worker is written against versatica's libsrtp
 * 3.0.0-beta fork; Debian bookworm only has libsrtp2 (2.4/2.5), whose header
 * is <srtp2/srtp.h>. So the worker's #include <srtp.h> lands here (compat/ is
 * on the include path, see patch-meson.py), and this maps the libsrtp3 calls
 * onto libsrtp2.
 *
 * The differences that matter: libsrtp3's protect/unprotect work out of place
 * (const uint8_t* in, size_t in_len, uint8_t* out, size_t* out_len
 * [, size_t mki_index]) where libsrtp2's work in place (void*, int*), and
 * libsrtp3 has two extra error codes. The rest of what mediasoup uses
 * (srtp_policy_t fields, srtp_create/dealloc, srtp_stream_remove, the event
 * handler, crypto policy setters, SRTP_MAX_TRAILER_LEN) is the same in both.
 */
#ifndef MS_COMPAT_SRTP3_ON_SRTP2_H
#define MS_COMPAT_SRTP3_ON_SRTP2_H

/* mediasoup >= 3.2x uses libsrtp3's opaque policy API, in which srtp_policy_t
 * is a pointer. Rename libsrtp2's struct of that name while including it. */
#ifdef MS_COMPAT_SRTP3_OPAQUE_POLICY
#define srtp_policy_t srtp2_policy_t
#endif
#include <srtp2/srtp.h>
#ifdef MS_COMPAT_SRTP3_OPAQUE_POLICY
#undef srtp_policy_t
#endif

#ifdef __cplusplus
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>

/* Error codes that exist only in libsrtp3 (values as in libsrtp3). */
static constexpr srtp_err_status_t srtp_err_status_buffer_small =
  static_cast<srtp_err_status_t>(28);
static constexpr srtp_err_status_t srtp_err_status_cryptex_err =
  static_cast<srtp_err_status_t>(29);

/* C++ overloads with the libsrtp3 signatures (the libsrtp2 extern "C"
 * functions keep their names; these are distinct C++-linkage overloads). */
inline srtp_err_status_t srtp_protect(
  srtp_t ctx, const uint8_t* rtp, size_t rtp_len, uint8_t* srtp, size_t* srtp_len, size_t mki_index)
{
	(void)mki_index; /* mediasoup never uses MKI, always passes 0. */
	if (rtp_len > INT_MAX || *srtp_len < rtp_len + SRTP_MAX_TRAILER_LEN)
		return srtp_err_status_buffer_small;
	if (srtp != rtp)
		std::memmove(srtp, rtp, rtp_len);
	int len = static_cast<int>(rtp_len);
	const srtp_err_status_t err = srtp_protect(ctx, static_cast<void*>(srtp), &len);
	if (err == srtp_err_status_ok)
		*srtp_len = static_cast<size_t>(len);
	return err;
}

inline srtp_err_status_t srtp_protect_rtcp(
  srtp_t ctx, const uint8_t* rtcp, size_t rtcp_len, uint8_t* srtcp, size_t* srtcp_len, size_t mki_index)
{
	(void)mki_index;
	if (rtcp_len > INT_MAX || *srtcp_len < rtcp_len + SRTP_MAX_TRAILER_LEN + 4 /* E-flag+index */)
		return srtp_err_status_buffer_small;
	if (srtcp != rtcp)
		std::memmove(srtcp, rtcp, rtcp_len);
	int len = static_cast<int>(rtcp_len);
	const srtp_err_status_t err = srtp_protect_rtcp(ctx, static_cast<void*>(srtcp), &len);
	if (err == srtp_err_status_ok)
		*srtcp_len = static_cast<size_t>(len);
	return err;
}

inline srtp_err_status_t srtp_unprotect(
  srtp_t ctx, const uint8_t* srtp, size_t srtp_len, uint8_t* rtp, size_t* rtp_len)
{
	if (srtp_len > INT_MAX || *rtp_len < srtp_len)
		return srtp_err_status_buffer_small;
	if (rtp != srtp)
		std::memmove(rtp, srtp, srtp_len);
	int len = static_cast<int>(srtp_len);
	const srtp_err_status_t err = srtp_unprotect(ctx, static_cast<void*>(rtp), &len);
	if (err == srtp_err_status_ok)
		*rtp_len = static_cast<size_t>(len);
	return err;
}

inline srtp_err_status_t srtp_unprotect_rtcp(
  srtp_t ctx, const uint8_t* srtcp, size_t srtcp_len, uint8_t* rtcp, size_t* rtcp_len)
{
	if (srtcp_len > INT_MAX || *rtcp_len < srtcp_len)
		return srtp_err_status_buffer_small;
	if (rtcp != srtcp)
		std::memmove(rtcp, srtcp, srtcp_len);
	int len = static_cast<int>(srtcp_len);
	const srtp_err_status_t err = srtp_unprotect_rtcp(ctx, static_cast<void*>(rtcp), &len);
	if (err == srtp_err_status_ok)
		*rtcp_len = static_cast<size_t>(len);
	return err;
}
#ifdef MS_COMPAT_SRTP3_OPAQUE_POLICY
#include <new>
/* libsrtp3 opaque policy object, emulated on top of libsrtp2's struct. */
struct ms_srtp3_policy
{
	srtp2_policy_t p;
	unsigned char keyAndSalt[SRTP_MAX_KEY_LEN];
};
typedef ms_srtp3_policy* srtp_policy_t;

inline srtp_err_status_t srtp_policy_create(srtp_policy_t* policy)
{
	*policy = new (std::nothrow) ms_srtp3_policy();
	if (*policy == nullptr)
		return srtp_err_status_alloc_fail;
	std::memset(*policy, 0, sizeof(ms_srtp3_policy));
	return srtp_err_status_ok;
}

inline void srtp_policy_destroy(srtp_policy_t policy)
{
	if (policy)
		std::memset(policy->keyAndSalt, 0, sizeof(policy->keyAndSalt));
	delete policy;
}

inline srtp_err_status_t srtp_policy_set_ssrc(srtp_policy_t policy, srtp_ssrc_t ssrc)
{
	policy->p.ssrc = ssrc;
	return srtp_err_status_ok;
}

inline srtp_err_status_t srtp_policy_set_profile(srtp_policy_t policy, srtp_profile_t profile)
{
	srtp_err_status_t err = srtp_crypto_policy_set_from_profile_for_rtp(&policy->p.rtp, profile);
	if (err != srtp_err_status_ok)
		return err;
	/* For aes128_cm_sha1_32 this correctly selects HMAC-SHA1-80 for RTCP. */
	return srtp_crypto_policy_set_from_profile_for_rtcp(&policy->p.rtcp, profile);
}

/* libsrtp2 wants one buffer "master key || master salt"; no MKI support here. */
inline srtp_err_status_t srtp_policy_add_key(
  srtp_policy_t policy,
  const uint8_t* key,
  size_t key_len,
  const uint8_t* salt,
  size_t salt_len,
  const uint8_t* mki,
  size_t mki_len)
{
	(void)mki;
	if (mki_len != 0 || policy->p.key != nullptr || key_len + salt_len > sizeof(policy->keyAndSalt))
		return srtp_err_status_bad_param;
	std::memcpy(policy->keyAndSalt, key, key_len);
	std::memcpy(policy->keyAndSalt + key_len, salt, salt_len);
	policy->p.key = policy->keyAndSalt;
	return srtp_err_status_ok;
}

inline srtp_err_status_t srtp_policy_set_allow_repeat_tx(srtp_policy_t policy, bool allow)
{
	policy->p.allow_repeat_tx = allow ? 1 : 0;
	return srtp_err_status_ok;
}

inline srtp_err_status_t srtp_policy_set_window_size(srtp_policy_t policy, size_t window_size)
{
	policy->p.window_size = static_cast<unsigned long>(window_size);
	return srtp_err_status_ok;
}

/* Overload taking the opaque policy; libsrtp2 copies what it needs. */
inline srtp_err_status_t srtp_create(srtp_t* session, srtp_policy_t policy)
{
	return srtp_create(session, static_cast<const srtp2_policy_t*>(&policy->p));
}
#endif /* MS_COMPAT_SRTP3_OPAQUE_POLICY */

/* libsrtp3 renamed srtp_remove_stream() to srtp_stream_remove(). */
inline srtp_err_status_t srtp_stream_remove(srtp_t session, uint32_t ssrc)
{
	return srtp_remove_stream(session, ssrc);
}
#endif /* __cplusplus */

#endif
