/** A setting name that reads like a credential: a secret, a password, a token, a private key. */
export const SECRET_LOOKING = /SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|CREDENTIAL|(^|_)SK($|_)|API_?KEY/i;
