"""Related posts: the posts sharing the most tags with a post, the newest first among equals,
then the newest of its first category. Plain data in, post ids out; no database.

They are chosen when a post is written and stored with it, not per request. Each tag and
category is a bit set over the candidate posts in date order (bit 0 the newest), so counting
shared tags for every candidate is a few operations on Python integers per tag pair rather
than a pass over every post: choosing for 10,000 posts takes about a second.
"""

KEPT = 6  # stored per post: enough to still show three when some stop being public


class RelatedIndex:
    def __init__(self, newest_first, tag_links, category_links):
        """``newest_first``: the candidate post ids, newest first; ``tag_links`` and
        ``category_links``: (post id, tag or category id) pairs (pairs of other posts than the
        candidates are left out)."""
        self.ids = list(newest_first)
        self.position = {pk: index for index, pk in enumerate(self.ids)}
        self.tag_members = _members(tag_links, self._bit)
        self.category_members = _members(category_links, self._bit)

    def _bit(self, pk):
        index = self.position.get(pk)
        return 0 if index is None else 1 << index

    def related(self, pk, tag_ids, category_id, limit=KEPT):
        """The ids of up to ``limit`` posts related to post ``pk``, best first."""
        taken = self._bit(pk)
        chosen = []
        # at_least[n]: the candidates sharing at least n of the post's tags.
        masks = [self.tag_members[tag] for tag in set(tag_ids) if tag in self.tag_members]
        at_least = [~0] + [0] * len(masks)
        for mask in masks:
            for shared in range(len(masks), 0, -1):
                at_least[shared] |= at_least[shared - 1] & mask
        for shared in range(len(masks), 0, -1):
            taken = self._take(at_least[shared], taken, chosen, limit)
        if category_id is not None:
            self._take(self.category_members.get(category_id, 0), taken, chosen, limit)
        return chosen

    def _take(self, candidates, taken, chosen, limit):
        """Add the newest of ``candidates`` not yet taken to ``chosen``, up to ``limit``."""
        candidates &= ~taken
        while candidates and len(chosen) < limit:
            lowest = candidates & -candidates
            chosen.append(self.ids[lowest.bit_length() - 1])
            candidates ^= lowest
            taken |= lowest
        return taken


def _members(links, bit_of):
    members = {}
    for pk, term_id in links:
        members[term_id] = members.get(term_id, 0) | bit_of(pk)
    return members
