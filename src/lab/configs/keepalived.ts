/**
 * keepalived on a balancer: one VRRP instance holding the VIP, lb1 MASTER and lb2 BACKUP.
 * Unicast adverts between the two addresses rather than multicast: the same protocol, and it
 * does not depend on the bridge's multicast handling.
 */
import path from 'node:path';
import { BALANCERS, NS_IFACE, PREFIX, VIP, labPaths, type LabHost, type LabPaths } from '../topology.js';
import type { LabSettings } from '../settings.js';

export function keepalivedConfig(s: LabSettings, host: LabHost, p: LabPaths = labPaths()): string {
  const k = s.keepalived;
  // VRRPv2 counts advert_int in whole seconds; a sub-second one needs VRRPv3 (RFC 5798, centiseconds)
  const version = Number.isInteger(k.advertInt) ? '' : '    version 3\n';
  const master = host.name === BALANCERS[0]!.name;
  const peers = BALANCERS.filter((b) => b.name !== host.name)
    .map((b) => `        ${b.address}`)
    .join('\n');
  return `# keepalived on ${host.name}, written by \`lb-bench lab up\` from lab.yaml. Started as:
#   keepalived -n -l -D -G -P -f <this file> -p <pid> -r <vrrp pid>   (in namespace ${host.name})
global_defs {
    router_id ${host.name}
    enable_script_security
    script_user root
}

# HAProxy on this host is alive (its pid, as the lab recorded it): if it dies, this balancer
# gives up the VIP (FAULT state), so that the failover covers the service and not only the host
vrrp_script haproxy_alive {
    script "/usr/bin/pgrep -F ${path.join(p.pids, `${host.name}-haproxy.pid`)}"
    interval 1
    fall 1
    rise 1
}

vrrp_instance lab {
    state ${master ? 'MASTER' : 'BACKUP'}
    interface ${NS_IFACE}
    virtual_router_id ${k.virtualRouterId}
    priority ${master ? k.priorityMaster : k.priorityBackup}
    advert_int ${k.advertInt}
${version}    unicast_src_ip ${host.address}
    unicast_peer {
${peers}
    }
    virtual_ipaddress {
        ${VIP}/${PREFIX} dev ${NS_IFACE}
    }
    track_script {
        haproxy_alive
    }
}
`;
}
