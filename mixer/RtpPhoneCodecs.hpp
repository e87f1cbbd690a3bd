// SPDX-License-Identifier: EUPL-1.2
#pragma once
// The GStreamer elements of a phone call's codec (PhoneCodec), made alike for the voice menu
// (PhonePrompter) and the meeting (PhoneEndpoint): what turns the caller's RTP into raw audio,
// and what turns raw 48 kHz audio into RTP in the negotiated codec, payload type and ptime.
#include "mixer/PhoneMedia.hpp"

#include <gst/gst.h>

#include <string>
#include <vector>

namespace plenum::mixer {

// The caps of the caller's audio RTP (for the udpsrc), e.g.
// "application/x-rtp,media=audio,clock-rate=8000,encoding-name=PCMA,payload=8".
std::string phoneRtpCaps(const PhoneRtp& rtp);

// Depayloader and decoder, linked in this order (raw audio at the codec's rate out of the last).
std::vector<GstElement*> makePhoneDecoder(const PhoneRtp& rtp, const std::string& prefix);

// audioconvert, audioresample, a capsfilter at the encoder's rate, the encoder and the payloader
// (pt = payloadType, packets of ptimeMs), linked in this order.
std::vector<GstElement*> makePhoneEncoder(const PhoneRtp& rtp, const std::string& prefix);

}  // namespace plenum::mixer
