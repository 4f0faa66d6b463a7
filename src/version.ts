// Version facts shown by -v/-vv and used by -cc's version predicates. The HAProxy version we
// claim compatibility with is the one our behaviour is checked against (Debian's 2.6.12).

export const SWITCHYARD_VERSION = '0.1.0';
export const HAPROXY_COMPAT = '2.6.12';
export const RELEASE_DATE = '2026/11/22';

/** The third word of `-v`'s first line, parsed by tooling and by version_atleast(). */
export const VERSION_WORD = `${HAPROXY_COMPAT}-switchyard-${SWITCHYARD_VERSION}`;

export const VERSION_LINE = `HAProxy version ${VERSION_WORD} ${RELEASE_DATE} - https://github.com/switchyard-lb/switchyard`;
