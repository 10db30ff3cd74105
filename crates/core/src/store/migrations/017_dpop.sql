-- v17: DPoP (RFC 9449). Whether a grant's tokens are bound to the owner's DPoP key (the
-- token endpoint answered `token_type: DPoP`): they are then presented as `DPoP` with a
-- proof, never as Bearer. The key itself is in the keychain (`<owner>/dpop_key`); the
-- keychain's tokens say the same (`token_type`), this column is what views read.
ALTER TABLE oauth_grants ADD COLUMN dpop INTEGER NOT NULL DEFAULT 0 CHECK (dpop IN (0, 1));
