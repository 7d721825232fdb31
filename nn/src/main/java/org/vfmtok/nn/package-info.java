/** Modules with PyTorch-compatible parameter names, losses, optimizers, checkpoint IO and training (issue: nn layer). */
package org.vfmtok.nn;
