# Varnish in front of the blog's app servers (Debian: apt install varnish varnish-modules).
#
# Pages the site marks as public (they carry a Surrogate-Key header) are kept as long as their
# Cache-Control's s-maxage says; the site purges them by key when what they show changes
# (BLOG_PURGER=blog.caching.purgers.VarnishPurger, BLOG_PURGE_URLS=http://this-varnish:6081/).
# Anyone with a session or CSRF cookie, the admin, and everything else go to the site.
#
#     varnishd -a 127.0.0.1:6081 -f /path/to/site_config/varnish.vcl -s malloc,256m
#
# Behind this file: README.md, "A shared cache in front".
vcl 4.1;

import xkey;

# The app servers; more than one: a directors.round_robin() (vmod_directors).
backend default {
    .host = "127.0.0.1";
    .port = "8000";
}

# Who may purge: the app servers.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "Name the keys to purge in an xkey-purge header"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone + " objects"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/admin/" || req.http.Authorization) {
        return (pass);
    }
    # Logged in (a session) or holding a form (a CSRF token): the site answers.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|csrftoken)=") {
        return (pass);
    }
    # Other cookies (analytics) change nothing the site shows.
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    if (!beresp.http.Surrogate-Key) {
        # Not a public page (a redirect, a 404, a search): not kept, and not queued behind.
        set beresp.uncacheable = true;
        set beresp.ttl = 10s;
        return (deliver);
    }
    # xkey reads the keys of an object from its xkey header.
    set beresp.http.xkey = beresp.http.Surrogate-Key;
}

sub vcl_deliver {
    unset resp.http.xkey;
    if (obj.hits > 0) {
        set resp.http.X-Shared-Cache = "hit";
    } else {
        set resp.http.X-Shared-Cache = "miss";
    }
}
