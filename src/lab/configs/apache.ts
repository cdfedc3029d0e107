/**
 * Apache 2.4 for one web host: our own config file (Debian's in /etc is left alone), with the
 * modules loaded by path, Debian's mpm_event limits from lab.yaml, and everything it writes
 * (pid, mutexes, logs) in the lab's state folder.
 */
import path from 'node:path';
import type { LabSettings } from '../settings.js';
import type { LabHost, LabPaths } from '../topology.js';

export const APACHE_MODULES_DIR = '/usr/lib/apache2/modules';
/** The fewest modules that serve a static page with a header: MPM, unixd for User/Group, authz for Require, dir for "/", headers. */
export const APACHE_MODULES = ['mpm_event', 'unixd', 'authz_core', 'dir', 'headers', 'log_config'] as const;

export function apacheConfig(s: LabSettings, host: LabHost, p: LabPaths): string {
  const a = s.web.apache;
  const root = path.join(p.www, host.name);
  const log = (name: string) => path.join(p.logs, `${host.name}-apache-${name}.log`);
  return `# Apache for ${host.name}, written by \`lb-bench lab up\` from lab.yaml. Started as:
#   apache2 -DFOREGROUND -f <this file>   (in namespace ${host.name}, cgroup lb-bench/${host.name})
ServerRoot "${p.dir}"
ServerName ${host.name}
# some of these are compiled in, depending on the build: load each only where it is not
${APACHE_MODULES.map((m) => `<IfModule !${m}_module>\n    LoadModule ${m}_module ${APACHE_MODULES_DIR}/mod_${m}.so\n</IfModule>`).join('\n')}

PidFile "${path.join(p.run, `${host.name}-apache.pid`)}"
DefaultRuntimeDir "${p.run}"
Mutex file:${p.run} default
ErrorLog "${log('error')}"
LogLevel warn
${a.accessLog ? `LogFormat "%h %l %u %t \\"%r\\" %>s %O" common\nCustomLog "${log('access')}" common` : '# access log off (lab.yaml web.apache.accessLog)'}

# Debian runs Apache's workers as www-data
User www-data
Group www-data

Listen ${host.address}:80
ListenBacklog ${a.listenBacklog}
KeepAlive ${a.keepAlive ? 'On' : 'Off'}
KeepAliveTimeout ${a.keepAliveTimeout}
Timeout 300

# mpm_event, Debian's limits (lab.yaml web.apache)
StartServers ${a.startServers}
MinSpareThreads ${a.minSpareThreads}
MaxSpareThreads ${a.maxSpareThreads}
ThreadLimit ${a.threadLimit}
ThreadsPerChild ${a.threadsPerChild}
MaxRequestWorkers ${a.maxRequestWorkers}
MaxConnectionsPerChild ${a.maxConnectionsPerChild}

DocumentRoot "${root}"
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "${root}">
    Require all granted
    DirectoryIndex index.html
    ForceType text/html
</Directory>
# names the server in every response, so a client sees where the balancer sent it
Header always set X-Backend "${host.name}"
`;
}

/** A page of exactly `bytes` bytes (ASCII) that names its server. */
export function webPage(host: LabHost, bytes: number): string {
  const head = `<!doctype html>\n<html><head><title>${host.name}</title></head><body>\n<h1>${host.name}</h1>\n<p>lb-bench lab web server ${host.name} (${host.address}).</p>\n<p>`;
  const tail = `</p>\n</body></html>\n`;
  const filler = 'The quick brown fox jumps over the lazy dog. ';
  const room = Math.max(0, bytes - head.length - tail.length);
  return head + filler.repeat(Math.ceil(room / filler.length)).slice(0, room) + tail;
}
