/*
 * compat/ankerl/unordered_dense.h: stand-in for martinus/unordered_dense,
 * which Debian bookworm does not package. mediasoup uses only its map, set and
 * hash, so alias them to the standard unordered containers: those keep
 * iterators and references valid in every case unordered_dense does (and
 * more), so behaviour is the same, only somewhat slower. Vendoring the real
 * MIT-licensed single header would be the faster alternative.
 */
#ifndef MS_COMPAT_ANKERL_UNORDERED_DENSE_H
#define MS_COMPAT_ANKERL_UNORDERED_DENSE_H

#include <functional>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace ankerl::unordered_dense
{
	template<class T, class Enable = void>
	struct hash : std::hash<T>
	{
	};

	template<
	  class Key,
	  class T,
	  class Hash      = hash<Key>,
	  class KeyEqual  = std::equal_to<Key>,
	  class Allocator = std::allocator<std::pair<const Key, T>>>
	using map = std::unordered_map<Key, T, Hash, KeyEqual, Allocator>;

	template<class Key, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>, class Allocator = std::allocator<Key>>
	using set = std::unordered_set<Key, Hash, KeyEqual, Allocator>;
} // namespace ankerl::unordered_dense

#endif
