package com.fulcrumscim.reconcile;

import com.fulcrumscim.journal.DeletedUser;
import com.fulcrumscim.journal.DesiredGroup;
import com.fulcrumscim.journal.DesiredUser;
import com.fulcrumscim.journal.MemberAddresses;
import com.fulcrumscim.journal.RestoreMarker;

/**
 * What the database holds for one key, read together: what Okta wants (the user or the group,
 * null when deleted or of the other type), a deleted user's tombstone (null unless the user was
 * deleted and its tombstone is still kept), the key's link and its open create intent (null when
 * none), for a user Okta deactivated or deleted, the addresses its own member had in Fulcrum
 * (null: not known, or not asked), and for a user with no link, whose plan may be a create, the
 * restore marker ({@link RestoreHold}; null when there is none, and for every other key, which reads
 * it only if it needs it). A reconcile round reads it once for every question it asks about the key.
 */
record Recorded(DesiredUser user, DeletedUser deleted, DesiredGroup group, Link link, Intent intent,
    MemberAddresses.Held held, RestoreMarker.Mark restore) {}
