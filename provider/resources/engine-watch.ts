/** The provider process exits once the Pulumi engine that started it is gone. */

let engineWatch: NodeJS.Timeout | undefined;

/**
 * In Pulumi's dynamic provider host, a wait can outlive the engine that asked for it (`pulumi up` killed
 * with SIGKILL leaves the host behind): nobody could receive the result, yet the host would poll for days.
 * So the host exits once its parent is gone. The operation keeps running on the Cloud Partner Portal and the
 * next `pulumi up` attaches to it.
 */
export function exitWithEngine(): void {
  if (engineWatch || !/[\\/](dynamic-provider[\\/]index|native[\\/]main)\.js$/.test(process.argv[1] ?? ""))
    return;
  const engine = process.ppid;
  engineWatch = setInterval(() => {
    if (process.ppid === engine) return;
    process.stderr.write(
      "pulumi-cloudpartner: the Pulumi engine that started this provider is gone; exiting. Operations keep running " +
        "on the Cloud Partner Portal; the next `pulumi up` attaches to them.\n",
    );
    process.exit(1);
  }, 1000);
  engineWatch.unref();
}
