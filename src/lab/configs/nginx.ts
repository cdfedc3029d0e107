/**
 * Nginx on a balancer: :8080 roundrobin (Nginx's default) to the three web servers, with Debian's
 * worker settings unless lab.yaml says otherwise. Every path it writes is in the state folder.
 */
import path from 'node:path';
import type { LabSettings } from '../settings.js';
import { WEBS, type LabHost, type LabPaths } from '../topology.js';

export function nginxConfig(s: LabSettings, host: LabHost, p: LabPaths): string {
  const n = s.nginx;
  const tmp = (name: string) => path.join(p.run, `${host.name}-nginx-${name}`);
  return `# Nginx on ${host.name}, written by \`lb-bench lab up\` from lab.yaml. Started as:
#   nginx -c <this file> -e <error log> -g 'daemon off;'   (in namespace ${host.name})
user www-data;
worker_processes ${n.workerProcesses};
worker_rlimit_nofile ${n.workerRlimitNofile};
pid ${path.join(p.run, `${host.name}-nginx.pid`)};
error_log ${path.join(p.logs, `${host.name}-nginx-error.log`)} warn;

events {
    # Debian's default; each proxied request holds two connections (client and upstream)
    worker_connections ${n.workerConnections};
}

http {
    access_log off;
    client_body_temp_path ${tmp('body')};
    proxy_temp_path ${tmp('proxy')};
    fastcgi_temp_path ${tmp('fastcgi')};
    uwsgi_temp_path ${tmp('uwsgi')};
    scgi_temp_path ${tmp('scgi')};

    upstream web {
        # roundrobin is Nginx's default method
${WEBS.map((w) => `        server ${w.address}:80;`).join('\n')}
    }

    server {
        # 0.0.0.0: the VIP, when keepalived puts it on this host, is served too
        listen 0.0.0.0:8080 backlog=${n.listenBacklog};
        location / {
            proxy_pass http://web;
        }
    }
}
`;
}
