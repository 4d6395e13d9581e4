package com.fulcrumscim.reconcile;

import com.fulcrumscim.journal.DeletedUser;
import com.fulcrumscim.journal.DesiredGroup;
import com.fulcrumscim.journal.DesiredUser;
import com.fulcrumscim.journal.MemberAddresses;

/**
 * What the database holds for one key, read together: what Okta wants (the user or the group,
 * null when deleted or of the other type), a deleted user's tombstone (null unless the user was
 * deleted and its tombstone is still kept), the key's link and its open create intent (null when
 * none), and, for a user Okta deactivated or deleted, the addresses its own member had in Fulcrum
 * (null: not known, or not asked). A reconcile round reads it once for every question it asks about the key.
 */
record Recorded(DesiredUser user, DeletedUser deleted, DesiredGroup group, Link link, Intent intent,
    MemberAddresses.Held held) {}
