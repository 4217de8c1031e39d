/**
 * `VmImageVersion`: one VM image version of one plan, declared in a Pulumi program. Its provider is the thin
 * serialized one of `resource.ts` (it loads `VmImageVersionProvider` at run time).
 */

import * as pulumi from "@pulumi/pulumi";
import type { ImageVersionState } from "../core/images";
import { sharedThinProvider } from "./resource";

/** SAS URIs are credentials: these outputs are always secret. */
const SECRET_OUTPUTS = ["osVhdUrl", "dataDisks"];

export interface VmImageDataDisk {
  /** LUN, 0 to 15. */
  lun: pulumi.Input<number>;
  /** SAS URI of the data disk's VHD (secret). */
  uri: pulumi.Input<string>;
}

export interface VmImageVersionArgs {
  /** `cpp` (default): the Cloud Partner Portal. `ingestion` is not supported by this resource yet. */
  api?: pulumi.Input<"cpp" | "ingestion">;
  publisherId: pulumi.Input<string>;
  offerId: pulumi.Input<string>;
  /** The plan (`definition.plans[].planId`), or one of its generation sub-plans. */
  planId: pulumi.Input<string>;
  /**
   * `X.Y.Z`, whole numbers of at most 10 digits each, greater than every earlier version of the plan. Changing
   * it replaces the resource: the new version is added first, then the old one is removed (never published) or
   * kept (published).
   */
  version: pulumi.Input<string>;
  /**
   * SAS URI of the OS VHD: https, `sp=rl` (read and list only), expiring at least 21 days ahead, starting no later
   * than now. Secret; messages show the blob path only. Re-generating the SAS of the same blob changes nothing.
   */
  osVhdUrl: pulumi.Input<string>;
  /** Data disks; their number must be the same in every version of a plan. */
  dataDisks?: pulumi.Input<pulumi.Input<VmImageDataDisk>[]>;
  /** Core VM offers: label, description, media name and visibility of the image. Defaults on creation. */
  label?: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  mediaName?: pulumi.Input<string>;
  showInGui?: pulumi.Input<boolean>;
  /** Generation sub-plans (`diskGenerations[].planId`) of the plan that get this version too. */
  diskGenerations?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * On destroy, retire a published version instead of keeping it: core VM offers hide it (`showInGui: false`),
   * VM offers remove it from the draft. Never-published versions are removed either way; a plan's last image is
   * never removed. Takes effect with the next publish.
   */
  deprecate?: pulumi.Input<boolean>;
  endpoint?: pulumi.Input<string>;
  apiVersion?: pulumi.Input<string>;
  requestTimeoutSeconds?: pulumi.Input<number>;
}

/**
 * Adds an image version to a plan of an offer's draft: reads the offer, adds the version, writes the whole
 * document back with the ETag it read (a concurrent portal edit is re-read and re-applied; a change to the version
 * itself is reported). The same version with the same image is adopted without a write. Publish and go live with
 * `OfferPublish` and `OfferGoLive`, passing `triggers: [image.version]`.
 */
export class VmImageVersion extends pulumi.dynamic.Resource {
  declare readonly publisherId: pulumi.Output<string>;
  declare readonly offerId: pulumi.Output<string>;
  declare readonly planId: pulumi.Output<string>;
  declare readonly version: pulumi.Output<string>;
  declare readonly osVhdUrl: pulumi.Output<string>;
  declare readonly dataDisks: pulumi.Output<Array<{ lun: number; uri: string }>>;
  /** The plan (or sub-plan) the version went into, then the plan's generation sub-plans. */
  declare readonly planIds: pulumi.Output<string[]>;
  /** As last read: `draft`, `preview` or `live`. */
  declare readonly state: pulumi.Output<ImageVersionState>;
  declare readonly published: pulumi.Output<boolean>;
  /** The version was already there with this image when the resource was created (nothing was written). */
  declare readonly alreadyPresent: pulumi.Output<boolean>;

  constructor(name: string, args: VmImageVersionArgs, opts?: pulumi.CustomResourceOptions) {
    const props: Record<string, unknown> = {
      ...args,
      osVhdUrl: pulumi.secret(args.osVhdUrl),
      dataDisks: args.dataDisks === undefined ? undefined : pulumi.secret(args.dataDisks),
      planIds: undefined,
      state: undefined,
      published: undefined,
      alreadyPresent: undefined,
    };
    super(
      sharedThinProvider("VmImageVersionProvider"),
      name,
      props,
      {
        ...opts,
        additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...SECRET_OUTPUTS],
      },
      "cloudpartner",
      "VmImageVersion",
    );
  }
}
