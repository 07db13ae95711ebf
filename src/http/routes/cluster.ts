/** GET /v1/cluster/nodes: the nodes that serve this Aegis; a daemon alone lists itself. */
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import type { NodeDirectory } from '../../operations/cluster-nodes.js';
import { clusterNodesSchema } from '../response-schemas.js';
import type { ZodTypeProvider } from '../zod-schemas.js';

export interface ClusterRoutesOptions {
  directory: NodeDirectory;
}

/** An app built without a directory (a test's) lists no node. */
export const NO_NODES: NodeDirectory = { nodes: async () => [] };

export const clusterRoutes: FastifyPluginAsync<ClusterRoutesOptions, RawServerDefault, ZodTypeProvider> = async (app, { directory }) => {
  app.get('/v1/cluster/nodes', { schema: { response: { 200: clusterNodesSchema } } }, async () => ({ nodes: await directory.nodes() }));
};
