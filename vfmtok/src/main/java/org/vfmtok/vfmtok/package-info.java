/** The VFMTok tokenizer: VFM encoders, deformable attention, quantizer, decoders (issue: VFMTok inference). */
package org.vfmtok.vfmtok;
