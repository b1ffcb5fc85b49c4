-- Every timed step is a claim with a lease. A round's lease covers the step being posted (a
-- question just opened, or a reveal); a drop's covers its post. A claim whose process died is
-- taken over once the lease has passed; posts carry a Discord nonce, so a taken-over post that
-- had already gone out returns the first message instead of making a second.
ALTER TABLE rounds ADD COLUMN lease_until_ms INTEGER;
ALTER TABLE drops ADD COLUMN lease_until_ms INTEGER;
-- Claimed drops left by a binary without leases are stale: take them over at once.
CREATE INDEX drops_claimed ON drops (lease_until_ms) WHERE state = 'claimed';
CREATE INDEX rounds_leased ON rounds (lease_until_ms) WHERE lease_until_ms IS NOT NULL;
