/** HAProxy on a balancer: :80 roundrobin and :81 leastconn to the three web servers (the thesis's two algorithms). */
import type { LabSettings } from '../settings.js';
import { WEBS, type LabHost } from '../topology.js';

export function haproxyConfig(s: LabSettings, host: LabHost): string {
  const h = s.haproxy;
  const servers = WEBS.map((w) => `    server ${w.name} ${w.address}:80`).join('\n');
  return `# HAProxy on ${host.name}, written by \`lb-bench lab up\` from lab.yaml. Started as:
#   haproxy -db -f <this file>   (in namespace ${host.name})
global
    maxconn ${h.maxconn}
    # no syslog in the lab: errors go to the process's output, in the lab's logs folder

defaults
    mode http
    # Debian's defaults section
    timeout connect ${h.timeoutConnect}
    timeout client ${h.timeoutClient}
    timeout server ${h.timeoutServer}
    maxconn ${h.maxconn}
${
  h.serverClose
    ? `    # close each server-side connection after its response, as Nginx does to its upstreams by
    # default: otherwise HAProxy keeps them idle for reuse, and the idle connections fill
    # Apache's event-MPM connection slots until KeepAliveTimeout (lab.yaml haproxy.serverClose)
    option http-server-close`
    : '    # server-side connections kept alive for reuse (lab.yaml haproxy.serverClose: false)'
}

# 0.0.0.0: the VIP, when keepalived puts it on this host, is served too
frontend rr
    bind 0.0.0.0:80
    default_backend web_rr

frontend lc
    bind 0.0.0.0:81
    default_backend web_lc

backend web_rr
    balance roundrobin
${servers}

backend web_lc
    balance leastconn
${servers}
`;
}
